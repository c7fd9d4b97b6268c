using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm;

public sealed partial class SequenceTaggingTransformer
{
    /// <summary>
    /// From the per-step logits [N, L, K]: PredictedLabel = each step's first largest logit as a key (argmax + 1, uint32
    /// [N, L]), Score = that tag's softmax probability, 1 / Σ_k exp(logit_k − max) (float [N, L]); both 0 on padding.
    /// A CRF tagger is refused before this (<see cref="NetworkOnnxWriter.CheckExportable"/>).
    /// </summary>
    private protected override void SaveOnnxColumns(OnnxContextGraph graph, string raw, string valid)
    {
        string prefix = nameof(SequenceTaggingTransformer) + ".";
        string maximum = graph.Node("ReduceMax", [raw], OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 1));
        string total = graph.Node("ReduceSum", [graph.Node("Exp", [graph.Node("Sub", [raw, maximum])])], OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 0));
        string score = graph.Node("Where", [valid, graph.Node("Reciprocal", [total]), graph.Constant(prefix + "zero", [0f])]);
        string argMax = graph.Node("ArgMax", [raw], OnnxAttribute.Int("axis", 2), OnnxAttribute.Int("keepdims", 0));
        string key = graph.Node("Where", [valid, graph.Node("Add", [argMax, graph.Constant(prefix + "one", [1L])]), graph.Constant(prefix + "noKey", [0L])]);
        graph.BindColumn(_columns[0].Name, _columns[0].Type, score);
        graph.BindColumn(_columns[1].Name, _columns[1].Type, graph.Node("Cast", [key], OnnxAttribute.Int("to", (long)OnnxElementType.UInt32)));
    }
}
