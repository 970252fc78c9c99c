import SlimConfig
import SlimTensor
import XCTest
@testable import SlimTrain

/// Data-parallel shards: the ranks' batches of one step are disjoint and, concatenated in rank
/// order, are the batch one process with the global batch size reads.
final class DataShardTests: XCTestCase {
    private func transforms() throws -> [any Transform] {
        [ToTensor(), try RandomCrop(size: ImageSize(28), padding: 2), try RandomFlip(prob: 0.5)]
    }

    func testRankBatchesConcatenateToTheGlobalBatch() throws {
        let data = SubsetDataset(try IDXDataset.fashionMNIST(split: .test), prefix: 100)
        let whole = try DataLoader(dataset: data, batchSize: 16, transforms: transforms(), seed: 5)
        let ranks = try (0..<2).map { r in
            try DataLoader(dataset: data, batchSize: 8, transforms: transforms(), seed: 5, prefetch: r, shard: DataShard(rank: r, count: 2))
        }
        for step in 0..<9 {  // more than one pass of 6 global batches
            let global = try whole.next(), parts = try ranks.map { try $0.next() }
            XCTAssertEqual(parts[0].indices + parts[1].indices, global.indices, "step \(step)")
            XCTAssertTrue(Set(parts[0].indices).isDisjoint(with: parts[1].indices))
            XCTAssertEqual(parts[0].images.floats + parts[1].images.floats, global.images.floats, "step \(step): same augmentation")
            XCTAssertEqual(ranks[0].state, whole.state, "the state counts global samples")
            XCTAssertEqual(ranks[1].state, whole.state)
        }
        XCTAssertEqual(ranks[0].batchesPerPass, 6)
    }

    func testAResumedRankContinuesItsShard() throws {
        let data = SubsetDataset(try IDXDataset.fashionMNIST(split: .test), prefix: 64)
        let shard = DataShard(rank: 1, count: 2)
        let straight = try DataLoader(dataset: data, batchSize: 8, transforms: transforms(), seed: 9, shard: shard)
        for _ in 0..<5 { _ = try straight.next() }
        let resumed = try DataLoader(dataset: data, batchSize: 8, transforms: transforms(), seed: 9, state: straight.state, shard: shard)
        for _ in 0..<3 { XCTAssertEqual(try resumed.next(), try straight.next()) }
    }

    func testAPartialLastGlobalBatchIsRefused() throws {
        let data = SubsetDataset(try IDXDataset.fashionMNIST(split: .test), prefix: 20)
        XCTAssertThrowsError(try DataLoader(dataset: data, batchSize: 8, dropLast: false, shard: DataShard(rank: 0, count: 2))) { error in
            XCTAssertTrue("\(error)".contains("drop_last"), "\(error)")
        }
        XCTAssertThrowsError(try DataLoader(dataset: data, batchSize: 16, shard: DataShard(rank: 0, count: 2))) { error in
            XCTAssertTrue("\(error)".contains("global batch"), "\(error)")
        }
    }

    func testOutsideMPIRunThereIsNoWorld() throws {
        XCTAssertNil(MPIWorld.launchedRanks(["OMPI_COMM_WORLD_SIZE": "1", "OMPI_COMM_WORLD_RANK": "0"]))
        XCTAssertNil(MPIWorld.launchedRanks([:]))
        XCTAssertEqual(MPIWorld.launchedRanks(["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "1"])?.rank, 1)
        XCTAssertThrowsError(try MPIWorld.timeout(["SLIM_MPI_TIMEOUT": "soon"]))
        XCTAssertEqual(try MPIWorld.timeout(["SLIM_MPI_TIMEOUT": "2.5"]), 2.5)
    }
}

extension DataShardTests {
    func testSyncBatchNormIsFoundInTheModelYAML() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sync-bn-\(UUID().uuidString).yml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "architecture: YOLOv3\nMobileNet:\n  norm_decay: 0.\n  norm_type: sync_bn\n".write(toFile: path, atomically: true, encoding: .utf8)
        let found = try XCTUnwrap(TrainingSession.syncBatchNorm(try ModelConfig.load(path: path).root))
        XCTAssertEqual(found.mark.line, 4)
        try "architecture: YOLOv3\nMobileNet:\n  norm_type: bn\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNil(TrainingSession.syncBatchNorm(try ModelConfig.load(path: path).root))
    }
}
