using Microsoft.ML;
using Microsoft.ML.Lstm;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SequenceBinaryClassificationTransformer), null, typeof(SignatureLoadModel),
    "Sequence Binary Classification Transformer", SequenceBinaryClassificationTransformer.LoaderSignature)]

namespace Microsoft.ML.Lstm;

// Saving and loading through ML.NET's model files.
public sealed partial class SequenceBinaryClassificationTransformer
{
    internal const string LoaderSignature = "LstmBinaryClassXf";

    private static VersionInfo VersionInfo => new(
        modelSignature: "LSTMBINX",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: LoaderAssemblyName);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    // Parameters in the other order than Create's: ML.NET's catalog refuses a type whose constructor
    // and Create both match (IHostEnvironment, ModelLoadContext) with the same visibility.
    private SequenceBinaryClassificationTransformer(ModelLoadContext ctx, IHostEnvironment env)
        : base(env, nameof(SequenceBinaryClassificationTransformer), ctx, VersionInfo)
    {
        CheckOutputSize(Scorer.OutputSize);
    }

    // Found by ML.NET's component catalog through [LoadableClass] (SignatureLoadModel).
    private static SequenceBinaryClassificationTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => new(ctx, env);
}
