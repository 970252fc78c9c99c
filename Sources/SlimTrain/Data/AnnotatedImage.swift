/// What a `Transform` works on: a sample's float image and, for detection data, its objects in
/// the image's pixel coordinates (moved by geometric transforms, passed through by the others).
public struct AnnotatedImage: Equatable, Sendable {
    public var image: Image
    /// The sample's objects; nil for data without boxes.
    public var annotations: BoxAnnotations?
    /// The second sample `MixupImage` blends in (PaddleDetection's `sample['mixup']`): empty, or
    /// one sample the loader attaches while the pass is below the feed's `mixup_epoch`.
    public var mixup: [AnnotatedImage] = []

    public init(image: Image, annotations: BoxAnnotations? = nil) {
        self.image = image
        self.annotations = annotations
    }

    /// Applies `body` to every box, then drops the boxes left without area (`xmax <= xmin` or
    /// `ymax <= ymin`, e.g. cropped away).
    public mutating func moveBoxes(_ body: (inout BoundingBox) -> Void) {
        guard var a = annotations else { return }
        for i in a.boxes.indices { body(&a.boxes[i]) }
        let boxes = a.boxes
        a.filter { boxes[$0].xmax > boxes[$0].xmin && boxes[$0].ymax > boxes[$0].ymin }
        annotations = a
    }
}
