/// `conv2d`: `Input` [N, C, H, W], `Filter` [O, C/groups, KH, KW] -> `Output` [N, O, OH, OW];
/// attrs `strides`, `paddings`, `dilations`, `groups`. See `ConvolutionOperator` for the math.
public enum Conv2DOp: ConvolutionOperator {
    public static let type = "conv2d"
    public static let requiresDepthwise = false
}
