using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm;

public sealed partial class SequenceBinaryClassificationTransformer
{
    /// <summary>Score = the logit [N, 1], Probability = its sigmoid, PredictedLabel = logit &gt; 0 (bool), as the columns compute them.</summary>
    private protected override void SaveOnnxColumns(OnnxContextGraph graph, string raw, string valid)
    {
        graph.BindColumn(Columns[0].Name, Columns[0].Type, raw);
        graph.BindColumn(Columns[1].Name, Columns[1].Type, graph.Node("Sigmoid", [raw]));
        graph.BindColumn(Columns[2].Name, Columns[2].Type, graph.Node("Greater", [raw, graph.Constant(nameof(SequenceBinaryClassificationTransformer) + ".zero", [0f])]));
    }
}
