using Microsoft.ML.Lstm.MLNetInternals;

[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo(MLNetAssemblyNames.Core)]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo(MLNetAssemblyNames.Data)]

namespace System.Runtime.CompilerServices;

/// <summary>
/// Tells the runtime that this assembly may reach the non-public types and members of the named
/// assembly. The runtime recognises the attribute by its full name wherever it is defined, so the
/// library defines it itself. The compiler does not know it: that is why the library compiles
/// against publicized copies of the ML.NET assemblies (see <c>MLNetInternals/README.md</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
internal sealed class IgnoresAccessChecksToAttribute : Attribute
{
    /// <summary>Grants access to the internals of the assembly with this simple name.</summary>
    public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

    /// <summary>The simple name of the assembly whose internals this assembly reaches.</summary>
    public string AssemblyName { get; }
}
