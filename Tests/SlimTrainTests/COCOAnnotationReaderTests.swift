import Foundation
import XCTest
@testable import SlimTrain

final class COCOAnnotationReaderTests: XCTestCase {
    private func makeCOCO(_ json: String, images: [String] = ["1.jpg", "2.jpg", "3.jpg"]) throws -> (json: String, images: String) {
        let dir = try makeTempDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/val", withIntermediateDirectories: true)
        for name in images { try writeFile([], "\(dir)/val/\(name)") }
        try writeFile(Array(json.utf8), dir + "/instances.json")
        return (dir + "/instances.json", dir + "/val")
    }

    private let sample = """
    {"images": [{"id": 7, "file_name": "1.jpg", "width": 100, "height": 50},
                {"id": 3, "file_name": "2.jpg", "width": 20, "height": 20},
                {"id": 9, "file_name": "3.jpg", "width": 30, "height": 30}],
     "categories": [{"id": 18, "name": "dog"}, {"id": 1, "name": "person"}],
     "annotations": [
       {"id": 1, "image_id": 7, "category_id": 1, "bbox": [10, 5, 20, 10], "area": 200, "iscrowd": 0},
       {"id": 2, "image_id": 7, "category_id": 18, "bbox": [-2, 40, 200, 30], "area": 900, "iscrowd": 0},
       {"id": 3, "image_id": 7, "category_id": 18, "bbox": [0, 0, 50, 50], "area": 2500, "iscrowd": 1},
       {"id": 4, "image_id": 3, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 0, "iscrowd": 0}]}
    """

    func testConvertsBoxesMapsCategoriesAndDropsCrowdsLikePaddleDetection() throws {
        let files = try makeCOCO(sample)
        let (records, labels, skipped) = try COCOAnnotationReader(annotation: files.json, imageDir: files.images).read()
        XCTAssertEqual(labels.names, ["dog", "person"], "categories in file order (pycocotools getCatIds)")
        XCTAssertEqual(records.map(\.imageID), [7, 3, 9], "images without annotations stay, as in release/0.1")
        XCTAssertEqual(skipped, 1, "the zero-area box is left out")
        let first = records[0]
        XCTAssertEqual(first.imagePath, files.images + "/1.jpg")
        XCTAssertEqual(first.width, 100)
        XCTAssertEqual(first.classIDs, [1, 0])
        XCTAssertEqual(first.boxes[0], BoundingBox(xmin: 10, ymin: 5, xmax: 29, ymax: 14), "x2 = x1 + w - 1")
        XCTAssertEqual(first.boxes[1], BoundingBox(xmin: 0, ymin: 40, xmax: 99, ymax: 49), "clipped to the image")
        XCTAssertEqual(first.isCrowd, [false, false], "crowds are dropped by default")
        XCTAssertTrue(records[1].objects.isEmpty)
    }

    func testOptionsKeepCrowdsSkipEmptyImagesAndShiftForBackground() throws {
        let files = try makeCOCO(sample)
        let reader = COCOAnnotationReader(annotation: files.json, imageDir: files.images, withBackground: true,
                                          includeCrowd: true, skipEmptyImages: true)
        let (records, labels, _) = try reader.read()
        XCTAssertEqual(records.map(\.imageID), [7])
        XCTAssertEqual(records[0].classIDs, [2, 1, 1])
        XCTAssertEqual(records[0].isCrowd, [false, false, true])
        XCTAssertEqual(records[0].objects[2].area, 2500)
        XCTAssertEqual(labels.numClasses, 3)
    }

    func testErrorsNameTheJSONPath() throws {
        let image = #"{"id": 1, "file_name": "1.jpg", "width": 10, "height": 10}"#
        let cat = #"{"id": 1, "name": "a"}"#
        let cases: [(String, [String])] = [
            (#"{"images": [{"id": 1, "file_name": "1.jpg", "width": "ten", "height": 10}], "categories": []}"#, ["images[0].width", "expected"]),
            (#"{"images": [\#(image)], "categories": [\#(cat)], "annotations": [{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3]}]}"#,
             ["annotations[0].bbox", "4 finite numbers"]),
            (#"{"images": [\#(image)], "categories": [\#(cat)], "annotations": [{"image_id": 2, "category_id": 1, "bbox": [1, 2, 3, 4]}]}"#,
             ["annotations[0].image_id 2"]),
            (#"{"images": [\#(image)], "categories": [\#(cat)], "annotations": [{"image_id": 1, "category_id": 5, "bbox": [1, 2, 3, 4]}]}"#,
             ["annotations[0].category_id 5"]),
            (#"{"images": [\#(image), \#(image)], "categories": [\#(cat)]}"#, ["images[1].id 1 repeats"]),
            (#"{"images": [{"id": 1, "file_name": "1.jpg", "width": 0, "height": 10}], "categories": []}"#, ["images[0]", "empty image 0x10"]),
            (#"{"images": [\#(image)]}"#, ["categories: missing"]),
            (#"{"images": [], "categories": []}"#, ["no image record"]),
            ("{\"images\": [", ["instances.json", "not valid JSON"]),
            (#"{"images": [{"id": 1.5, "file_name": "1.jpg", "width": 10, "height": 10}], "categories": []}"#, ["must be integers"]),
        ]
        for (json, fragments) in cases {
            let files = try makeCOCO(json, images: ["1.jpg"])
            assertDataError(fragments) { _ = try COCOAnnotationReader(annotation: files.json, imageDir: files.images).read() }
        }
    }

    func testMissingFilesAreIOErrors() throws {
        let files = try makeCOCO(sample, images: ["1.jpg", "2.jpg"])
        XCTAssertThrowsError(try COCOAnnotationReader(annotation: files.json, imageDir: files.images).read()) { error in
            XCTAssertEqual((error as? DataError)?.isIO, true)
            XCTAssertTrue("\(error)".contains("3.jpg") && "\(error)".contains("images[2]"), "\(error)")
        }
        XCTAssertThrowsError(try COCOAnnotationReader(annotation: files.json + ".nope", imageDir: files.images).read()) {
            XCTAssertEqual(($0 as? DataError)?.isIO, true)
        }
    }
}
