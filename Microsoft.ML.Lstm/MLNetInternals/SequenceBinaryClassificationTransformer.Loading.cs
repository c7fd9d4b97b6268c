using Microsoft.ML;
using Microsoft.ML.Lstm;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SequenceBinaryClassificationTransformer), null, typeof(SignatureLoadModel),
    "Sequence Binary Classification Transformer", SequenceBinaryClassificationTransformer.LoaderSignature)]

namespace Microsoft.ML.Lstm;

// What ML.NET needs to find and version this transformer in its model files; the rest is in the base.
public sealed partial class SequenceBinaryClassificationTransformer
{
    internal const string LoaderSignature = "LstmBinaryClassXf";

    private static VersionInfo VersionInfo => new(
        modelSignature: "LSTMBINX",
        verWrittenCur: 0x00010002, // one model file: transformer and network sections under one checksum
        verReadableCur: 0x00010002,
        verWeCanReadBack: 0x00010002,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: LoaderAssemblyName);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    // Found by ML.NET's component catalog through [LoadableClass] (SignatureLoadModel).
    private static SequenceBinaryClassificationTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, VersionInfo, file => new SequenceBinaryClassificationTransformer(env, file.Model, file.Features));
}
