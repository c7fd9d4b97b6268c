using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

// ONNX export (mlContext.Model.ConvertToOnnx). ML.NET's converter walks the pipeline's data transforms and asks each
// one, through its row mapper, whether it can save itself as ONNX (ICanSaveOnnx) and then to do so (ISaveAsOnnx): both
// interfaces, and the OnnxContext they write into, are internal to ML.NET, hence this part lives here.
public abstract partial class SequencePredictionTransformerBase
{
    /// <summary>
    /// Writes the transformer into ML.NET's ONNX graph: the feature column read as the package reads it
    /// (<see cref="SequenceOnnxInput"/>), the scoring network (<see cref="NetworkOnnxWriter"/>), and the task's columns
    /// (<see cref="SaveOnnxColumns"/>).
    /// </summary>
    /// <exception cref="NotSupportedException">A part of the model has no ONNX form; the message names it.</exception>
    private void SaveAsOnnx(OnnxContextGraph graph)
    {
        // The network that scores rows: a featurizer's is its encoder under the featurizing head.
        SequenceModel model = ScoringModel;
        NetworkOnnxWriter.CheckExportable(model.Spec);
        if (!graph.HasColumn(FeatureColumnName))
        {
            throw new NotSupportedException(
                $"The feature column '{FeatureColumnName}' of {GetType().Name} is not in the ONNX graph: the pipeline step that makes it could not be exported to ONNX.");
        }
        string prefix = $"{GetType().Name}.";
        var writer = new NetworkOnnxWriter(model.Network, graph, prefix);
        (string steps, string lengths, string valid) = SequenceOnnxInput.Write(graph, writer, Features, graph.ColumnVariable(FeatureColumnName), prefix);
        // bool [L, N, 1]: true on each sequence's own steps, step-major as the encoder's outputs.
        string stepMask = graph.Node("Unsqueeze", [graph.Node("Transpose", [valid], OnnxAttribute.Ints("perm", 1, 0))], OnnxAttribute.Ints("axes", 2));
        EncodedSteps encoded = writer.Encode(steps, lengths);
        string raw = model.Spec.Head switch
        {
            PooledHeadSpec => writer.PooledHead(encoded, stepMask, lengths),
            PooledFeaturesHeadSpec => writer.PooledFeatures(encoded, stepMask, lengths),
            _ => writer.StepHead(encoded),
        };
        SaveOnnxColumns(graph, raw, valid);
    }

    /// <summary>
    /// Writes the task's output columns from the network's raw outputs <paramref name="raw"/>: [N, K] for a pooled head,
    /// [N, L, K] for a per-step head, whose steps past a row's end are padding (<paramref name="valid"/>, bool [N, L], is
    /// false there). Each column is bound with <see cref="OnnxContextGraph.BindColumn"/>.
    /// </summary>
    private protected abstract void SaveOnnxColumns(OnnxContextGraph graph, string raw, string valid);

    private sealed partial class Mapper : ISaveAsOnnx
    {
        /// <summary>
        /// Always true: a model that ONNX cannot express is refused by <see cref="SaveAsOnnx"/> with a message naming
        /// the part, rather than silently cut from the pipeline (ML.NET's converter stops walking back at a step that
        /// answers false, and then fails with a message that names no part).
        /// </summary>
        public bool CanSaveOnnx(OnnxContext ctx) => true;

        /// <summary>Writes the transformer into <paramref name="ctx"/>, after checking the opset has every operator it uses.</summary>
        public void SaveAsOnnx(OnnxContext ctx)
        {
            Host.CheckValue(ctx, nameof(ctx));
            ctx.CheckOpSetVersion(NetworkOnnxWriter.MinimumOpset, _transformer.GetType().Name);
            _transformer.SaveAsOnnx(new OnnxContextGraph(ctx));
        }
    }
}
