using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm;

public sealed partial class SequenceMulticlassClassificationTransformer
{
    /// <summary>Score = the softmax of the K logits [N, K]; PredictedLabel = the key of the first largest logit (argmax + 1, uint32 [N, 1]).</summary>
    private protected override void SaveOnnxColumns(OnnxContextGraph graph, string raw, string valid)
    {
        graph.BindColumn(_columns[0].Name, _columns[0].Type, graph.Node("Softmax", [raw], OnnxAttribute.Int("axis", 1)));
        string argMax = graph.Node("ArgMax", [raw], OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1));
        string key = graph.Node("Add", [argMax, graph.Constant(nameof(SequenceMulticlassClassificationTransformer) + ".one", [1L])]);
        graph.BindColumn(_columns[1].Name, _columns[1].Type, graph.Node("Cast", [key], OnnxAttribute.Int("to", (long)OnnxElementType.UInt32)));
    }
}
