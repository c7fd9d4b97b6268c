using Microsoft.ML;
using Microsoft.ML.Lstm;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(LstmForecastingTransformer), null, typeof(SignatureLoadModel),
    "LSTM Forecasting Transformer", LstmForecastingTransformer.LoaderSignature)]

namespace Microsoft.ML.Lstm;

// What ML.NET needs to find, version, save and load this transformer in its model files.
public sealed partial class LstmForecastingTransformer : ICanSaveModel
{
    internal const string LoaderSignature = "LstmForecastXf";

    /// <summary>The entry of the ML.NET model that holds the one model file.</summary>
    private const string ModelEntryName = "ForecastModel.bin";

    private static VersionInfo VersionInfo => new(
        modelSignature: "LSTMFCST",
        verWrittenCur: 0x00010001, // one model file: network and forecasting sections under one checksum
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: typeof(LstmForecastingTransformer).Assembly.GetName().Name);

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(VersionInfo);
        ctx.SaveBinaryStream(ModelEntryName, writer => WriteModelFile(writer.BaseStream));
    }

    // Found by ML.NET's component catalog through [LoadableClass] (SignatureLoadModel).
    private static LstmForecastingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(VersionInfo);
        LstmForecastingTransformer? transformer = null;
        if (!ctx.TryLoadBinaryStream(ModelEntryName, reader => transformer = ReadModelFile(env, reader.BaseStream)) || transformer is null)
            throw new InvalidDataException($"The Microsoft.ML.Lstm forecasting model is damaged: the entry '{ModelEntryName}' is missing.");
        return transformer;
    }
}
