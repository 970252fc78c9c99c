import SlimGraph
import SlimTensor

extension TrainingSession {
    /// Loads, from `params`, the filters of convolutions that read a feed (the picture) where the
    /// file's filter has one input channel and the model's has `C`: each of the `C` channels gets
    /// the gray filter divided by `C`, so a gray picture copied to `C` channels gives the same
    /// response as it gave the gray model (a Fashion-MNIST classifier as the backbone of an RGB
    /// detector; timm's `adapt_input_conv` does the same).
    /// - Returns: the names of the filters adapted.
    func loadGrayFilters(_ params: [String: Tensor]) -> [String] {
        let feeds = Set(program.feeds)
        var adapted: [String] = []
        for op in program.ops where ["conv2d", "depthwise_conv2d"].contains(op.type) {
            guard let input = op.input("Input"), feeds.contains(input), let name = op.input("Filter"),
                  let gray = params[name], gray.dtype == .f32, gray.shape.count == 4, gray.shape[1] == 1,
                  let model = scope.tensors[name], model.dtype == .f32, model.shape.count == 4, model.shape[1] > 1,
                  model.shape[0] == gray.shape[0], Array(model.shape[2...]) == Array(gray.shape[2...]),
                  op.int("groups", default: 1) == 1 else { continue }
            let channels = model.shape[1], kernel = gray.count / gray.shape[0], values = gray.floats
            var out = [Float](repeating: 0, count: model.count)
            for o in 0..<gray.shape[0] {
                for c in 0..<channels {
                    for k in 0..<kernel { out[(o * channels + c) * kernel + k] = values[o * kernel + k] / Float(channels) }
                }
            }
            scope.tensors[name] = Tensor(shape: model.shape, floats: out)
            adapted.append(name)
        }
        return adapted
    }
}
