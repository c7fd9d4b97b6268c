using Microsoft.ML;
using Microsoft.ML.Lstm;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SequenceTaggingTransformer), null, typeof(SignatureLoadModel),
    "Sequence Tagging Transformer", SequenceTaggingTransformer.LoaderSignature)]

namespace Microsoft.ML.Lstm;

// What ML.NET needs to find and version this transformer in its model files; the rest is in the base.
public sealed partial class SequenceTaggingTransformer
{
    internal const string LoaderSignature = "LstmTaggerXf";

    private static VersionInfo VersionInfo => new(
        modelSignature: "LSTMTAGX",
        verWrittenCur: 0x00010002, // the one-model-file layout of every sequence transformer (the tagger had no earlier one)
        verReadableCur: 0x00010002,
        verWeCanReadBack: 0x00010002,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: LoaderAssemblyName);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    // Found by ML.NET's component catalog through [LoadableClass] (SignatureLoadModel).
    private static SequenceTaggingTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        Load(env, ctx, VersionInfo, file => new SequenceTaggingTransformer(env, file.Model, file.Features, file.ReadClassNames()));
}
