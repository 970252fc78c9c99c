"""ONNX Runtime sessions for the bench and test helpers, and the reference run of an INT8 QDQ model.

`session(path, threads)` is ONNX Runtime as users run it: every graph optimization, so a QDQ model's
DequantizeLinear -> Conv/MatMul -> QuantizeLinear groups run as ORT's integer kernels.

Those kernels do not always compute what the QDQ file says. On x86-64 hosts without VNNI (AVX2, and
AVX-512 without VNNI) ORT multiplies uint8 activations by int8 weights with VPMADDUBSW, which adds
each pair of products into a *saturated* int16 before widening (ONNX Runtime's quantization guide:
"might suffer from saturation issues"). With the activation ranges quantize_static picks, sums of
two products reach past 32767 often: on an AVX2 AMD EPYC host, ORT's fused run of one of the
bench/onnx_qdq_cases.py models moves 31% of the outputs, by up to 22 uint8 steps.

`reference_session(path, threads)` runs the same file with graph optimizations off: node by node,
DequantizeLinear to float, the float op, QuantizeLinear. That is the arithmetic the QDQ file
defines, the same on every host, and what ORT's fused kernels give on VNNI hosts. Agreement checks
against "ORT's INT8 model" use it; speed is measured with `session`.
"""
import onnxruntime as ort


def session(path, threads=1, optimized=True):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimized
                                        else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def reference_session(path, threads=1):
    return session(path, threads, optimized=False)


def host_has_vnni():
    """Whether ORT's integer kernels on this host add u8 x s8 products without int16 saturation."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags
