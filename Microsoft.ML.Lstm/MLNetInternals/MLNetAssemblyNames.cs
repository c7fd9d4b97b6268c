namespace Microsoft.ML.Lstm.MLNetInternals;

/// <summary>
/// The ML.NET assemblies whose internals this folder reaches. The build publicizes exactly these
/// (Microsoft.ML.Lstm.csproj, target <c>PublicizeMLNetReferences</c>).
/// </summary>
internal static class MLNetAssemblyNames
{
    /// <summary>Holds <c>ModelLoadContext</c>, <c>VersionInfo</c>, <c>LoadableClassAttribute</c>, <c>SignatureLoadModel</c>.</summary>
    public const string Core = "Microsoft.ML.Core";

    /// <summary>Holds <c>RowToRowTransformerBase</c>, its <c>MapperBase</c>, <c>ModelSaveContext</c>'s helpers.</summary>
    public const string Data = "Microsoft.ML.Data";
}
