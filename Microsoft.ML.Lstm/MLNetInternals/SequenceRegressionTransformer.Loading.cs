using Microsoft.ML;
using Microsoft.ML.Lstm;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SequenceRegressionTransformer), null, typeof(SignatureLoadModel),
    "Sequence Regression Transformer", SequenceRegressionTransformer.LoaderSignature)]

namespace Microsoft.ML.Lstm;

// What ML.NET needs to find and version this transformer in its model files; the rest is in the base.
public sealed partial class SequenceRegressionTransformer
{
    internal const string LoaderSignature = "LstmRegressionXf";

    private static VersionInfo VersionInfo => new(
        modelSignature: "LSTMREGX",
        verWrittenCur: 0x00010002, // one model file: transformer and network sections under one checksum (scaling sections optional)
        verReadableCur: 0x00010002,
        verWeCanReadBack: 0x00010002,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: LoaderAssemblyName);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    // Found by ML.NET's component catalog through [LoadableClass] (SignatureLoadModel).
    private static SequenceRegressionTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, VersionInfo, file => new SequenceRegressionTransformer(env, file.Model, file.Features, ReadVectorScore(file), ReadTargetScaling(file)));
}
