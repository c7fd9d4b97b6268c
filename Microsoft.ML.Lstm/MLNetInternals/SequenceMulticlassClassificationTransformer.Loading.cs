using Microsoft.ML;
using Microsoft.ML.Lstm;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(SequenceMulticlassClassificationTransformer), null, typeof(SignatureLoadModel),
    "Sequence Multiclass Classification Transformer", SequenceMulticlassClassificationTransformer.LoaderSignature)]

namespace Microsoft.ML.Lstm;

// Saving and loading through ML.NET's model files.
public sealed partial class SequenceMulticlassClassificationTransformer
{
    internal const string LoaderSignature = "LstmMulticlassXf";

    private static VersionInfo VersionInfo => new(
        modelSignature: "LSTMMCLX",
        verWrittenCur: 0x00010001, // initial
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: LoaderSignature,
        loaderAssemblyName: LoaderAssemblyName);

    private protected override VersionInfo GetVersionInfo() => VersionInfo;

    // Parameters in the other order than Create's: ML.NET's catalog refuses a type whose constructor
    // and Create both match (IHostEnvironment, ModelLoadContext) with the same visibility.
    private SequenceMulticlassClassificationTransformer(ModelLoadContext ctx, IHostEnvironment env)
        : base(env, nameof(SequenceMulticlassClassificationTransformer), ctx, VersionInfo)
    {
        int classNameCount = ctx.Reader.ReadInt32();
        if (classNameCount < 0 || classNameCount > Scorer.OutputSize)
            throw new InvalidDataException($"The Microsoft.ML.Lstm model file is damaged: it lists {classNameCount} class names for {Scorer.OutputSize} classes.");
        _classNames = new string[classNameCount];
        for (int i = 0; i < classNameCount; i++)
            _classNames[i] = ctx.Reader.ReadString();
        CheckShape(Scorer.OutputSize, _classNames.Length);
    }

    // Found by ML.NET's component catalog through [LoadableClass] (SignatureLoadModel).
    private static SequenceMulticlassClassificationTransformer Create(IHostEnvironment env, ModelLoadContext ctx) => new(ctx, env);
}
