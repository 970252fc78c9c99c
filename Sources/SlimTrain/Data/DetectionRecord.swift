/// One annotated image of a detection data set, as PaddleDetection's loaders produce it
/// (`im_file`, `im_id`, `w`, `h`, `gt_bbox`, `gt_class`, `difficult`, `is_crowd`).
///
/// Boxes are corner form `(xmin, ymin, xmax, ymax)` in pixels of the original image, already
/// clipped the way the loaders clip them (see `VOCAnnotationReader`, `COCOAnnotationReader`);
/// each object's `label` is a class id of the reader's `DetectionLabelMap` (0-based, or 1-based
/// when the map reserves 0 for the background).
public struct DetectionRecord: Equatable, Sendable {
    /// Path of the image file (the data set folder joined with the annotation's relative path).
    public var imagePath: String
    /// `im_id`: the COCO image id; for VOC the `<id>` element, else the position of the XML in
    /// the list file (counting from 0, images without objects included).
    public var imageID: Int
    /// The image size the annotation declares, if it declares one.
    public var width: Int?
    public var height: Int?
    /// The annotated objects, in file order.
    public var objects: [GroundTruthBox]

    public init(imagePath: String, imageID: Int, width: Int? = nil, height: Int? = nil, objects: [GroundTruthBox]) {
        self.imagePath = imagePath
        self.imageID = imageID
        self.width = width
        self.height = height
        self.objects = objects
    }

    /// `gt_bbox` rows.
    public var boxes: [BoundingBox] { objects.map(\.box) }
    /// `gt_class`.
    public var classIDs: [Int] { objects.map(\.label) }
    /// `difficult`.
    public var difficult: [Bool] { objects.map(\.difficult) }
    /// `is_crowd`.
    public var isCrowd: [Bool] { objects.map(\.isCrowd) }
}
