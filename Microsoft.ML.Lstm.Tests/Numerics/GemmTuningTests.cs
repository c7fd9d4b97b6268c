using System.Runtime.InteropServices;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Numerics;

public class GemmTuningTests
{
    private static IEnumerable<GemmKernel> SupportedKernels => Enum.GetValues<GemmKernel>().Where(Gemm.IsSupported);

    public static TheoryData<string> Kernels => new(SupportedKernels.Select(kernel => kernel.ToString()));

    /// <summary>Tunings far apart: the old constants, this CPU's, two processors' and the extremes of every size.</summary>
    private static IEnumerable<GemmTuning> TuningsFor(GemmKernel kernel) =>
    [
        GemmTuning.Fixed(kernel),
        GemmTuning.Current,
        GemmTuning.For(Zen3, kernel, Architecture.X64),
        GemmTuning.For(new CpuDescription("GenuineIntel", 6, 143, 48 * 1024, 2048 * 1024, 1920 * 1024), kernel, Architecture.X64),
        new GemmTuning(RowBlock: 1, ColumnBlock: 1, OneRowPanels: 1, MinimumWorkPerThread: 1),
        new GemmTuning(RowBlock: 13, ColumnBlock: 40, OneRowPanels: 4, MinimumWorkPerThread: 1000),
        new GemmTuning(RowBlock: 100_000, ColumnBlock: 100_000, OneRowPanels: 8, MinimumWorkPerThread: long.MaxValue),
    ];

    private static readonly CpuDescription Zen3 = new("AuthenticAMD", 25, 1, 32 * 1024, 512 * 1024, 16 * 1024 * 1024);

    [Theory]
    [MemberData(nameof(Kernels))]
    public void EveryTuningGivesTheSameBits(string kernelName)
    {
        // KC fixes the order of each element's sum; MC, NC, the few-rows panels and the thread split must not
        // change a bit: few rows and many, n across several panels and NC blocks, k across depth blocks, every
        // transpose, packed and plain B, beta 0 and 1, one to three threads.
        GemmKernel kernel = Enum.Parse<GemmKernel>(kernelName);
        GemmTuning[] tunings = TuningsFor(kernel).ToArray();
        foreach ((int m, int n, int k) in new[] { (1, 300, 300), (2, 70, 5), (3, 1100, 40), (5, 129, 257), (13, 37, 600), (16, 33, 20), (32, 50, 300), (200, 90, 300) })
        foreach (bool transposeA in new[] { false, true })
        foreach (bool transposeB in new[] { false, true })
        foreach (float beta in new[] { 0f, 1f })
        {
            int lda = transposeA ? m + 1 : k + 2, ldb = transposeB ? k + 3 : n + 1, ldc = n + 2;
            float[] a = Random((transposeA ? k : m) * lda, 31), b = Random((transposeB ? n : k) * ldb, 32);
            float[] initial = Random(m * ldc, 33);
            PackedMatrix packedB = Gemm.Pack(kernel, transposeB, k, n, b, ldb);
            float[]? expected = null;
            foreach (GemmTuning tuning in tunings)
            foreach (int threads in new[] { 1, 2, 3 })
            {
                float[] plain = (float[])initial.Clone(), packed = (float[])initial.Clone();
                Gemm.Multiply(kernel, transposeA, transposeB, m, n, k, 0.75f, a, lda, b, ldb, beta, plain, ldc, threads, tuning);
                Gemm.Multiply(kernel, transposeA, m, 0.75f, a, lda, packedB, beta, packed, ldc, threads, tuning);
                expected ??= plain;
                string context = $"{kernel} {tuning} m={m} n={n} k={k} tA={transposeA} tB={transposeB} beta={beta} threads={threads}";
                Assert.True(SameBits(expected, plain), context + " (plain B)");
                Assert.True(SameBits(expected, packed), context + " (packed B)");
            }
        }
    }

    [Fact]
    public void BlocksFollowTheCaches()
    {
        // Zen 3: 512 KiB of L2 per core gives A a 168-row block (a third of L2), 16 MiB of L3 per core the widest
        // B block; AVX2's 16 registers cannot hold eight panels' accumulators.
        Assert.Equal(new GemmTuning(168, 4096, 4, 1L << 21), GemmTuning.For(Zen3, GemmKernel.Avx2, Architecture.X64));
        // Zen 4 with AVX-512 (1 MiB L2, 32 registers): 341 rows rounded down to MR = 8; 4 MiB of L3 per core.
        var zen4 = new CpuDescription("AuthenticAMD", 25, 17, 32 * 1024, 1024 * 1024, 4 * 1024 * 1024);
        Assert.Equal(new GemmTuning(336, 2048, 8, 1L << 21), GemmTuning.For(zen4, GemmKernel.Avx512, Architecture.X64));
        // Caches unknown: the conservative 256 KiB L2 and 1 MiB L3; ARM64's 32 registers take eight panels.
        var unknown = new CpuDescription(string.Empty, 0, 0, 0, 0, 0);
        Assert.Equal(new GemmTuning(84, 512, 8, 1L << 21), GemmTuning.For(unknown, GemmKernel.Vector128, Architecture.Arm64));
        // A tiny L2 still leaves A four tiles of rows.
        var tiny = new CpuDescription(string.Empty, 0, 0, 0, 16 * 1024, 0);
        Assert.Equal(24, GemmTuning.For(tiny, GemmKernel.Avx2, Architecture.X64).RowBlock);
    }

    [Fact]
    public void UnusableTuningsAreRefused()
    {
        float[] a = new float[4], b = new float[4], c = new float[4];
        foreach (GemmTuning bad in new[] { new GemmTuning(0, 16, 4, 1), new GemmTuning(16, 0, 4, 1), new GemmTuning(16, 16, 3, 1), new GemmTuning(16, 16, 4, 0) })
            Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(GemmKernel.Vector128, false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2, 1, bad));
    }

    [Fact]
    public void CacheSizesAreReadAsTheKernelWritesThem()
    {
        Assert.Equal(32 * 1024, CpuDescription.ParseSize("32K"));
        Assert.Equal(32L * 1024 * 1024, CpuDescription.ParseSize("32M"));
        Assert.Equal(1000, CpuDescription.ParseSize("1000"));
        Assert.Equal(0, CpuDescription.ParseSize(""));
        Assert.Equal(7, CpuDescription.CountCpus("0-3,8,10-11"));
        Assert.Equal(1, CpuDescription.CountCpus("5"));

        string root = Path.Combine(Path.GetTempPath(), "gemm-tuning-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteCache(root, 0, "1", "Data", "48K", "0");
            WriteCache(root, 1, "1", "Instruction", "32K", "0");
            WriteCache(root, 2, "2", "Unified", "2048K", "0-1");
            WriteCache(root, 3, "3", "Unified", "32M", "0-7");
            Assert.Equal((48L * 1024, 1024L * 1024, 4L * 1024 * 1024), CpuDescription.CachesFromSysfs(root));
            Assert.Equal((0L, 0L, 0L), CpuDescription.CachesFromSysfs(Path.Combine(root, "missing")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void ThisMachineIsDescribed()
    {
        CpuDescription cpu = CpuDescription.Current;
        if (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86)
        {
            Assert.NotEmpty(cpu.Vendor);
            Assert.True(cpu.Family > 0, cpu.ToString());
        }
        if (Directory.Exists("/sys/devices/system/cpu/cpu0/cache/index0"))
            Assert.True(cpu.L1DataBytes > 0 && cpu.L2Bytes > 0, cpu.ToString());
        GemmTuning.Current.Validate();
    }

    private static void WriteCache(string root, int index, string level, string type, string size, string shared)
    {
        string directory = Path.Combine(root, $"index{index}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "level"), level + "\n");
        File.WriteAllText(Path.Combine(directory, "type"), type + "\n");
        File.WriteAllText(Path.Combine(directory, "size"), size + "\n");
        File.WriteAllText(Path.Combine(directory, "shared_cpu_list"), shared + "\n");
    }

    private static bool SameBits(float[] expected, float[] actual) =>
        MemoryMarshal.Cast<float, int>(expected.AsSpan()).SequenceEqual(MemoryMarshal.Cast<float, int>(actual.AsSpan()));

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
