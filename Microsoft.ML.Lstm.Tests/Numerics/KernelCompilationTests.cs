using System.Reflection;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

/// <summary>
/// The hot loops are compiled optimized at their first call (<c>MethodImplOptions.AggressiveOptimization</c>):
/// under tiered compilation a method otherwise starts unoptimized, calling every vector operation as a method, and a
/// fresh process's first hundreds of milliseconds of scoring ran ten times slower (benchmarks/RESULTS.md, "First use").
/// A new gate kernel or micro-kernel without the attribute fails here.
/// </summary>
public class KernelCompilationTests
{
    public static TheoryData<string> Kernels() => new(
        KernelMethods(typeof(ILaneLoop), "Run").Concat(KernelMethods(typeof(IGemmMicroKernel), "Run")).Select(Name));

    [Fact]
    public void EveryGateKernelAndMicroKernelIsFound()
    {
        // LSTM, GRU and peephole LSTM, forward and backward; the AVX-512, AVX2 and 128-bit micro-kernels.
        Assert.Equal(6, KernelMethods(typeof(ILaneLoop), "Run").Count());
        Assert.Equal(3, KernelMethods(typeof(IGemmMicroKernel), "Run").Count());
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void KernelIsCompiledOptimizedAtItsFirstCall(string kernel)
    {
        MethodInfo method = KernelMethods(typeof(ILaneLoop), "Run").Concat(KernelMethods(typeof(IGemmMicroKernel), "Run")).Single(m => Name(m) == kernel);
        Assert.True(
            method.MethodImplementationFlags.HasFlag(MethodImplAttributes.AggressiveOptimization),
            $"{kernel} is not [MethodImpl(MethodImplOptions.AggressiveOptimization)].");
    }

    /// <summary>The <paramref name="name"/> methods of the library's types that implement <paramref name="contract"/>.</summary>
    private static IEnumerable<MethodInfo> KernelMethods(Type contract, string name) =>
        typeof(Gemm).Assembly.GetTypes()
            .Where(type => type != contract && contract.IsAssignableFrom(type))
            .Select(type => type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)!)
            .OrderBy(Name, StringComparer.Ordinal);

    private static string Name(MethodInfo method) => $"{method.DeclaringType!.FullName}.{method.Name}";
}
