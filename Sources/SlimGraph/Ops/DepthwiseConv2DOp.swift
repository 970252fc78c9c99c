/// `depthwise_conv2d`: `conv2d` with `groups == C` (each input channel convolved with its own
/// `O / C` filters). See `ConvolutionOperator` for the math.
public enum DepthwiseConv2DOp: ConvolutionOperator {
    public static let type = "depthwise_conv2d"
    public static let requiresDepthwise = true
}
