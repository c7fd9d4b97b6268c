using Microsoft.ML.Lstm.MLNetInternals;

namespace Microsoft.ML.Lstm;

public sealed partial class LstmFeaturizingTransformer
{
    /// <summary>
    /// The output column = the scoring network's pooled vector [N, D·M]: the encoder's outputs pooled by each mode over
    /// each row's own steps, concatenated in the slot order (last state, mean, max; each mode's D values forward then
    /// backward when both directions are concatenated). A language model's next-token head is not exported: the
    /// featurizer scores with its encoder alone.
    /// </summary>
    private protected override void SaveOnnxColumns(OnnxContextGraph graph, string raw, string valid) =>
        graph.BindColumn(_columns[0].Name, _columns[0].Type, raw);
}
