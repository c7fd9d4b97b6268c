using Microsoft.ML;
using Microsoft.ML.Lstm;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(LstmFeaturizingTransformer), null, typeof(SignatureLoadModel),
    "LSTM Featurizing Transformer", LstmFeaturizingTransformer.LoaderSignature)]

namespace Microsoft.ML.Lstm;

// What ML.NET needs to find and version this transformer in its model files; the rest is in the base.
public sealed partial class LstmFeaturizingTransformer
{
    internal const string LoaderSignature = "LstmFeaturizeXf";

    private static VersionInfo VersionInfo => new(
        modelSignature: "LSTMFEAT",
        verWrittenCur: 0x00010001, // one model file: transformer, network, featurizer and token sections under one checksum
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: LoaderAssemblyName);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    // Found by ML.NET's component catalog through [LoadableClass] (SignatureLoadModel).
    private static LstmFeaturizingTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, VersionInfo, file => FromFile(env, file));
}
