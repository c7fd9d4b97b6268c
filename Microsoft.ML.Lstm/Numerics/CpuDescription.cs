using System.Globalization;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Microsoft.ML.Lstm.Numerics;

/// <summary>
/// What <see cref="GemmTuning"/> is chosen from: the processor's identity (CPUID vendor, family and model on x86;
/// empty and 0 elsewhere) and the data caches of one core, in bytes, as the OS reports them
/// (<c>/sys/devices/system/cpu/cpu0/cache</c> on Linux), else as CPUID does (leaf 4 on Intel, 0x80000005/6 on AMD),
/// else 0 (unknown). A shared cache is counted as its share per core.
/// </summary>
/// <param name="Vendor">CPUID's vendor string (GenuineIntel, AuthenticAMD), or empty off x86.</param>
/// <param name="Family">Display family (base + extended), e.g. 25 for AMD Zen 3 and Zen 4, 26 for Zen 5, 6 for Intel Core.</param>
/// <param name="Model">Display model (extended model · 16 + base model), e.g. 1 for Zen 3 EPYC, 17 for Zen 4 EPYC.</param>
/// <param name="L1DataBytes">Level 1 data cache of one core.</param>
/// <param name="L2Bytes">Level 2 cache per core.</param>
/// <param name="L3Bytes">Level 3 cache per core (its size divided by the cores that share it).</param>
internal readonly record struct CpuDescription(string Vendor, int Family, int Model, long L1DataBytes, long L2Bytes, long L3Bytes)
{
    /// <summary>This machine's processor, read once per process.</summary>
    public static CpuDescription Current { get; } = Detect();

    /// <summary>
    /// <see cref="L2Bytes"/>, or 256 KiB where it is unknown: what the blocking and the scoring buffers are sized by, a
    /// size every x86-64 and ARM64 server core of the last decade has at least.
    /// </summary>
    public long L2BytesOrAssumed => L2Bytes > 0 ? L2Bytes : 256 * 1024;

    /// <summary>One line for logs and benchmark headers.</summary>
    public override string ToString() =>
        $"{(Vendor.Length == 0 ? "unknown vendor" : Vendor)} family {Family} model {Model}, " +
        $"L1d {L1DataBytes / 1024} KiB, L2 {L2Bytes / 1024} KiB, L3 {L3Bytes / 1024} KiB per core";

    private static CpuDescription Detect()
    {
        (string vendor, int family, int model) = Identify();
        (long l1, long l2, long l3) = CachesFromSysfs("/sys/devices/system/cpu/cpu0/cache");
        if (l1 == 0 && l2 == 0 && X86Base.IsSupported)
            (l1, l2, l3) = vendor == "GenuineIntel" ? CachesFromIntelLeaf4() : CachesFromAmdLeaves();
        return new CpuDescription(vendor, family, model, l1, l2, l3);
    }

    private static (string Vendor, int Family, int Model) Identify()
    {
        if (!X86Base.IsSupported)
            return (string.Empty, 0, 0);
        (_, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        var vendor = new StringBuilder(12);
        foreach (int word in new[] { ebx, edx, ecx })
        {
            for (int shift = 0; shift < 32; shift += 8)
                vendor.Append((char)((word >> shift) & 0xFF));
        }

        int signature = X86Base.CpuId(1, 0).Eax;
        int baseFamily = (signature >> 8) & 0xF, baseModel = (signature >> 4) & 0xF;
        int family = baseFamily == 0xF ? baseFamily + ((signature >> 20) & 0xFF) : baseFamily;
        int model = baseFamily is 0x6 or 0xF ? baseModel | (((signature >> 16) & 0xF) << 4) : baseModel;
        return (vendor.ToString(), family, model);
    }

    /// <summary>
    /// Reads index*/level, type, size and shared_cpu_list under <paramref name="directory"/>; a cache shared by
    /// several CPUs counts as its share per CPU. Zeros where the directory is missing or unreadable.
    /// </summary>
    internal static (long L1Data, long L2, long L3) CachesFromSysfs(string directory)
    {
        long l1 = 0, l2 = 0, l3 = 0;
        try
        {
            if (!Directory.Exists(directory))
                return (0, 0, 0);
            foreach (string index in Directory.GetDirectories(directory, "index*"))
            {
                string type = ReadLine(Path.Combine(index, "type"));
                if (type == "Instruction")
                    continue;
                long size = ParseSize(ReadLine(Path.Combine(index, "size")));
                int sharing = Math.Max(1, CountCpus(ReadLine(Path.Combine(index, "shared_cpu_list"))));
                switch (ReadLine(Path.Combine(index, "level")))
                {
                    case "1":
                        l1 = size;
                        break;
                    case "2":
                        l2 = size / sharing;
                        break;
                    case "3":
                        l3 = size / sharing;
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return (0, 0, 0);
        }
        return (l1, l2, l3);
    }

    /// <summary>"32K", "1024K", "32M" or a plain byte count.</summary>
    internal static long ParseSize(string text)
    {
        if (text.Length == 0)
            return 0;
        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1024, 'M' => 1024 * 1024, 'G' => 1024L * 1024 * 1024, _ => 1 };
        string digits = unit == 1 ? text : text[..^1];
        return long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture) * unit;
    }

    /// <summary>How many CPUs a list such as "0-3,8,10-11" names.</summary>
    internal static int CountCpus(string list)
    {
        int count = 0;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-');
            count += dash < 0 ? 1 : int.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture) - int.Parse(part[..dash], CultureInfo.InvariantCulture) + 1;
        }
        return count;
    }

    private static string ReadLine(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;

    /// <summary>Intel's deterministic cache parameters: one sub-leaf of CPUID leaf 4 per cache.</summary>
    private static (long L1Data, long L2, long L3) CachesFromIntelLeaf4()
    {
        long l1 = 0, l2 = 0, l3 = 0;
        if (X86Base.CpuId(0, 0).Eax < 4)
            return (0, 0, 0);
        for (int subleaf = 0; subleaf < 16; subleaf++)
        {
            (int eax, int ebx, int ecx, _) = X86Base.CpuId(4, subleaf);
            int type = eax & 0x1F;
            if (type == 0)
                break;
            if (type == 2)
                continue;
            long size = (long)(((ebx >> 22) & 0x3FF) + 1) * (((ebx >> 12) & 0x3FF) + 1) * ((ebx & 0xFFF) + 1) * ((long)(uint)ecx + 1);
            int sharing = ((eax >> 14) & 0xFFF) + 1;
            switch ((eax >> 5) & 0x7)
            {
                case 1:
                    l1 = size;
                    break;
                case 2:
                    l2 = size / sharing;
                    break;
                case 3:
                    l3 = size / sharing;
                    break;
            }
        }
        return (l1, l2, l3);
    }

    /// <summary>
    /// AMD's L1 (0x80000005) and L2/L3 (0x80000006) leaves. L3 is given per core complex, which these leaves do not
    /// size, so it is shared among this process's processors, at most 8 (a Zen complex).
    /// </summary>
    private static (long L1Data, long L2, long L3) CachesFromAmdLeaves()
    {
        if ((uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x80000006)
            return (0, 0, 0);
        long l1 = (long)((uint)X86Base.CpuId(unchecked((int)0x80000005), 0).Ecx >> 24) * 1024;
        (_, _, int ecx, int edx) = X86Base.CpuId(unchecked((int)0x80000006), 0);
        long l2 = (long)((uint)ecx >> 16) * 1024;
        long l3 = (long)((uint)edx >> 18) * 512 * 1024 / Math.Clamp(Environment.ProcessorCount, 1, 8);
        return (l1, l2, l3);
    }
}
