import ArgumentParser
import SlimQuant
import SlimTrain

// The closed sets the commands take as options: ArgumentParser lists their raw values in --help
// ("values: ...") and rejects any other value with its own usage error (exit 64).

extension WeightQuantizeType: ExpressibleByArgument {}
extension ActivationQuantizeType: ExpressibleByArgument {}
extension CalibrationAlgorithm: ExpressibleByArgument {}
extension ActivationMode: ExpressibleByArgument {}
extension InferenceEngine: ExpressibleByArgument {}
extension BenchConfiguration.Mode: ExpressibleByArgument {}
extension BenchConfiguration.Precision: ExpressibleByArgument {}
extension BenchConfiguration.DataSource: ExpressibleByArgument {}
