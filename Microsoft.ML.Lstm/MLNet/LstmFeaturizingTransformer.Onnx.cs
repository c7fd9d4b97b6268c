using Microsoft.ML.Lstm.MLNetInternals;

namespace Microsoft.ML.Lstm;

public sealed partial class LstmFeaturizingTransformer
{
    /// <summary>
    /// Not reached: a featurizer's network (a language model, or an encoder under a featurizing head) is refused by
    /// <see cref="Networks.NetworkOnnxWriter.CheckExportable"/> before its columns are written; featurizers have no ONNX
    /// export yet.
    /// </summary>
    private protected override void SaveOnnxColumns(OnnxContextGraph graph, string raw, string valid) =>
        throw new NotSupportedException($"The featurizer writing '{OutputColumnName}' has no ONNX export.");
}
