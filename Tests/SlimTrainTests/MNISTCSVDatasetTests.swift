import XCTest
@testable import SlimTrain

final class MNISTCSVDatasetTests: XCTestCase {
    func testReadsRowsWithHeader() throws {
        let tmp = try makeTempDirectory(self)
        let text = "label,p0,p1,p2,p3\n3,0,10,20,255\r\n\n1,1,2,3,4\n"
        try writeFile(Array(text.utf8), tmp + "/d.csv")
        let data = try MNISTCSVDataset(path: tmp + "/d.csv")
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(data.imageShape, [1, 2, 2])
        XCTAssertEqual(try data.sample(0), Sample(pixels: .bytes([0, 10, 20, 255]), label: 3))
        XCTAssertEqual(try data.sample(1).label, 1)
    }

    func testBadRowsNameFileAndLine() throws {
        let tmp = try makeTempDirectory(self)
        try writeFile(Array("1,2,3\n4,5\n".utf8), tmp + "/short.csv")
        assertDataError([tmp + "/short.csv", "line 2", "expected 3 fields"]) { _ = try MNISTCSVDataset(path: tmp + "/short.csv") }
        try writeFile(Array("1,2,300\n".utf8), tmp + "/range.csv")
        assertDataError([tmp + "/range.csv", "line 1", "300"]) { _ = try MNISTCSVDataset(path: tmp + "/range.csv") }
        try writeFile(Array("1,2,3\n1,x,3\n".utf8), tmp + "/text.csv")
        assertDataError([tmp + "/text.csv", "line 2"]) { _ = try MNISTCSVDataset(path: tmp + "/text.csv") }
        try writeFile(Array("label,a\n".utf8), tmp + "/empty.csv")
        assertDataError([tmp + "/empty.csv", "no samples"]) { _ = try MNISTCSVDataset(path: tmp + "/empty.csv") }
    }
}
