using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Microsoft.ML.Lstm.MLNet;

// ONNX export (mlContext.Model.ConvertToOnnx). ML.NET's converter walks back from the pipeline's output through its data
// transforms (IDataTransform) and treats the first data view that is not one as the graph's input: were this view not a
// transform, a pipeline ending in the forecaster would export as a graph that takes the forecasts as inputs and passes
// them through. As a transform that can save itself, it is reached, and refuses with a message naming the forecaster.
internal sealed partial class ForecastDataView : IDataTransform, ITransformCanSaveOnnx
{
    /// <summary>The forecaster's reason for having no ONNX form.</summary>
    internal const string NoOnnxReason =
        $"{nameof(LstmForecastingTransformer)} cannot be exported to ONNX: each row's forecast depends on the rows before it " +
        "(and, with covariates, on the next rows' covariates), which an ONNX graph scoring one row at a time cannot read. " +
        $"Score it in .NET with Transform, or one observation at a time with {nameof(LstmForecastingTransformer.CreateForecastingEngine)}.";

    /// <inheritdoc />
    public IDataView Source => source;

    /// <summary>True, so that ML.NET's converter reaches <see cref="SaveAsOnnx"/> and its message, rather than silently stopping here.</summary>
    public bool CanSaveOnnx(OnnxContext ctx) => true;

    /// <summary>Always refuses: see <see cref="NoOnnxReason"/>.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void SaveAsOnnx(OnnxContext ctx) => throw new NotSupportedException(NoOnnxReason);

    /// <summary>Not supported: the forecaster is saved as a transformer (<c>mlContext.Model.Save</c>), not as a data view.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException($"The data a {nameof(LstmForecastingTransformer)} returns cannot be saved as a transform; save the transformer with mlContext.Model.Save.");
}
