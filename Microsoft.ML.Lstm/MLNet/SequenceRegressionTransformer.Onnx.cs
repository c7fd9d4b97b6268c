using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm;

public sealed partial class SequenceRegressionTransformer
{
    /// <summary>Score = the network's outputs [N, K] (K = 1 for a single Score), brought back to the targets' units (mean + deviation · z) when the targets were standardized.</summary>
    private protected override void SaveOnnxColumns(OnnxContextGraph graph, string raw, string valid)
    {
        string score = raw;
        if (_targetScaling is not null)
        {
            string prefix = nameof(SequenceRegressionTransformer) + ".";
            string scaled = graph.Node("Mul", [graph.Constant(prefix + "targetDeviations", _targetScaling.Deviations, TargetCount), raw]);
            score = graph.Node("Add", [graph.Constant(prefix + "targetMeans", _targetScaling.Means, TargetCount), scaled]);
        }
        graph.BindColumn(_columns[0].Name, _columns[0].Type, score);
    }
}
