using Microsoft.ML;
using Microsoft.ML.Lstm;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SequenceRegressionTransformer), null, typeof(SignatureLoadModel),
    "Sequence Regression Transformer", SequenceRegressionTransformer.LoaderSignature)]

namespace Microsoft.ML.Lstm;

// Saving and loading through ML.NET's model files.
public sealed partial class SequenceRegressionTransformer
{
    internal const string LoaderSignature = "LstmRegressionXf";

    private static VersionInfo VersionInfo => new(
        modelSignature: "LSTMREGX",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: LoaderAssemblyName);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    // Parameters in the other order than Create's: ML.NET's catalog refuses a type whose constructor
    // and Create both match (IHostEnvironment, ModelLoadContext) with the same visibility.
    private SequenceRegressionTransformer(ModelLoadContext ctx, IHostEnvironment env)
        : base(env, nameof(SequenceRegressionTransformer), ctx, VersionInfo)
    {
        CheckOutputSize(Scorer.OutputSize);
    }

    // Found by ML.NET's component catalog through [LoadableClass] (SignatureLoadModel).
    private static SequenceRegressionTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => new(ctx, env);
}
