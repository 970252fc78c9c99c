extension OpRegistry {
    /// The ops SlimGraph itself implements (one file each in `Ops/`).
    static let builtinOperators: [any Operator.Type] = [
        Conv2DOp.self, DepthwiseConv2DOp.self, MulOp.self, ElementwiseAddOp.self, BatchNormOp.self, Pool2DOp.self, ConcatOp.self,
        ReluOp.self, Relu6Op.self, Reshape2Op.self, Flatten2Op.self,
        LeakyReluOp.self, NearestInterpOp.self, Transpose2Op.self, ReduceMeanOp.self, YoloBoxOp.self, MulticlassNMSOp.self, Yolov3LossOp.self,
        SoftmaxOp.self, SoftmaxWithCrossEntropyOp.self, MeanOp.self, AccuracyOp.self, DropoutOp.self,
        ElementwiseMulOp.self, ElementwiseSubOp.self, ElementwiseDivOp.self, SigmoidOp.self, TanhOp.self, HardSigmoidOp.self,
        HardSwishOp.self, ClipOp.self, Conv2DTransposeOp.self, BilinearInterpOp.self, PReluOp.self, Pad2DOp.self, SliceOp.self,
        SquareOp.self, ScaleOp.self, FSPOp.self, CrossEntropyOp.self,
    ]
}
