using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// A saved model is untrusted input (README, "Guarantees"). For a saved model of every job (<see cref="EstimatorCases"/>),
/// the package's entry is damaged in every way a careless disk or a careful attacker would: truncated, bytes flipped,
/// runs of garbage, and headers, directories and section fields given huge, negative or inconsistent values with the
/// checksum recomputed so that they reach the parser. Each load through <c>mlContext.Model.Load</c> is refused with
/// <see cref="InvalidDataException"/> (inside ML.NET's wrapping) while allocating at most a small, fixed amount, or
/// loads a model that scores exactly as the original (the damage missed anything read). A crafted field with a
/// recomputed checksum may also load as another valid model, which is what a checksum anyone can recompute allows;
/// it then scores, or refuses the data with an <see cref="ArgumentException"/> naming a column (a crafted column name).
/// </summary>
/// <remarks>
/// To keep its cost to a few seconds, the damage to the header, the directory and the whole file goes through
/// ML.NET's load (about a hundred loads a job); the many values written inside the sections go straight to the
/// package's reader (<see cref="SequenceTransformerFile.Read"/>, or the forecaster's), which is what ML.NET's load calls.
/// </remarks>
public class SavedModelFuzzTests
{
    /// <summary>The package's entry in an ML.NET model: the predictors' and the forecaster's.</summary>
    private static readonly string[] EntryNames = ["SequenceModel.bin", "ForecastModel.bin"];

    /// <summary>What loading one damaged model may allocate: a few times these tiny models, far below any huge size a crafted field claims.</summary>
    private const long AllocationLimit = 64L << 20;

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void EveryDamagedModelIsRefusedOrScoresAsTheOriginal(string name)
    {
        var mlContext = new MLContext(seed: 1);
        (IDataView data, ITransformer model, byte[] zip, byte[] entry) = FittedAndSaved(mlContext, name);
        string[] columns = [.. model.GetOutputSchema(data.Schema).Where(c => !c.IsHidden && c.Index >= data.Schema.Count).Select(c => c.Name)];
        List<string>[] expected = Scores(model, data, columns);

        var failures = new List<string>();
        int refused = 0, loaded = 0;
        foreach ((string damage, byte[] bytes, bool checksumRecomputed) in DamagedWhole(entry))
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            ITransformer? reloaded = null;
            Exception? error = Record.Exception(() => reloaded = new MLContext(seed: 1).Model.Load(new MemoryStream(WithEntry(zip, bytes)), out _));
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            if (allocated > AllocationLimit)
                failures.Add($"{damage}: allocated {allocated:N0} bytes");
            if (error is not null)
            {
                if (!InChain<InvalidDataException>(error) || InChain<OutOfMemoryException>(error) || InChain<OverflowException>(error))
                    failures.Add($"{damage}: {error.GetType().Name}: {error.Message}");
                refused++;
                continue;
            }
            loaded++;
            List<string>[] scores;
            try
            {
                scores = Scores(reloaded!, data, columns);
            }
            catch (ArgumentException schema) when (checksumRecomputed)
            {
                // A crafted column name: the model loads and refuses data without that column, naming it.
                Assert.Contains("column", schema.Message);
                continue;
            }
            catch (Exception scoring)
            {
                failures.Add($"{damage}: loaded, then scoring failed: {scoring.GetType().Name}: {scoring.Message}");
                continue;
            }
            if (!checksumRecomputed && !scores.Zip(expected).All(pair => pair.First.SequenceEqual(pair.Second)))
                failures.Add($"{damage}: loaded with the checksum intact and scores differently");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {refused + loaded} damaged models misbehaved:\n" + string.Join("\n", failures.Take(20)));
        Assert.True(refused > loaded, $"only {refused} of {refused + loaded} damaged models were refused");
    }

    [Theory]
    [MemberData(nameof(EstimatorCases.Names), MemberType = typeof(EstimatorCases))]
    public void EveryCraftedSectionFieldIsRefusedWithoutAllocatingWhatItClaims(string name)
    {
        var mlContext = new MLContext(seed: 1);
        (IDataView data, ITransformer model, byte[] zip, byte[] entry) = FittedAndSaved(mlContext, name);
        // What ML.NET's load calls for this transformer: the predictors' reader, or the forecaster's.
        Action<Stream> read = model is LstmForecastingTransformer
            ? stream => LstmForecastingTransformer.ReadModelFile(mlContext, stream)
            : stream => SequenceTransformerFile.Read(stream);

        var failures = new List<string>();
        int refused = 0, loaded = 0;
        foreach ((string damage, byte[] bytes, _) in CraftedSectionFields(entry))
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            // The sections every transformer reads go straight to the package's reader; a task's own extras
            // (a featurizer's pooling and token values, a classifier's class names) are read by its transformer,
            // so a file the reader takes is loaded whole through ML.NET.
            Exception? error = Record.Exception(() =>
            {
                read(new MemoryStream(bytes));
                if (IsTaskExtra(damage))
                    new MLContext(seed: 1).Model.Load(new MemoryStream(WithEntry(zip, bytes)), out _);
            });
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            if (allocated > AllocationLimit)
                failures.Add($"{damage}: allocated {allocated:N0} bytes");
            if (error is null)
                loaded++;
            else if (InChain<InvalidDataException>(error) && !InChain<OutOfMemoryException>(error) && !InChain<OverflowException>(error))
                refused++;
            else
                failures.Add($"{damage}: {error.GetType().Name}: {error.Message}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {refused + loaded} crafted models misbehaved:\n" + string.Join("\n", failures.Take(20)));
        Assert.True(refused > 2 * loaded, $"only {refused} of {refused + loaded} crafted models were refused");
    }

    /// <summary>Copies of a model file damaged as a whole, in its header or its directory: what was done, the bytes, and whether the checksum was recomputed after.</summary>
    private static IEnumerable<(string Damage, byte[] Bytes, bool ChecksumRecomputed)> DamagedWhole(byte[] file)
    {
        var random = new Random(12);
        int length = file.Length;

        foreach (int keep in new[] { 0, 1, 7, 8, 12, 19, 20, 23, 24, 40, length / 3, length / 2, length - 5, length - 4, length - 1 }.Distinct())
            yield return ($"truncated to {keep} bytes", file[..keep], false);
        yield return ("a byte appended", [.. file, 0], false);

        for (int i = 0; i < 16; i++)
        {
            byte[] flipped = [.. file];
            int at = random.Next(length);
            flipped[at] ^= (byte)(1 + random.Next(255));
            yield return ($"byte {at} flipped", flipped, false);
        }
        for (int i = 0; i < 6; i++)
        {
            byte[] garbage = [.. file];
            int run = Math.Min(16 + random.Next(240), length);
            int at = random.Next(length - run + 1);
            random.NextBytes(garbage.AsSpan(at, run));
            yield return ($"{run} bytes of garbage at {at}", garbage, false);
        }

        // The header and the directory, checksum recomputed: the file length and every count and length in the directory.
        foreach (long fileLength in new[] { -1L, 0, 24, length - 1, length + 1, length + 1000, int.MaxValue, long.MaxValue, 1L << 40 })
            yield return ($"file length {fileLength}", Recomputed(file, bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), fileLength)), true);
        var sections = Directory(file);
        foreach (int count in new[] { -1, 0, sections.Count - 1, sections.Count + 1, 65, int.MaxValue, int.MinValue })
            yield return ($"section count {count}", Recomputed(file, bytes => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), count)), true);
        foreach ((string section, int nameAt, int lengthAt, long sectionLength, _) in sections)
        {
            foreach (int nameLength in new[] { -1, int.MaxValue })
                yield return ($"'{section}' name length {nameLength}", Recomputed(file, bytes => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(nameAt), nameLength)), true);
            foreach (long claimed in new[] { -1L, sectionLength + 1, long.MaxValue, 1L << 33 })
                yield return ($"'{section}' length {claimed}", Recomputed(file, bytes => BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(lengthAt), claimed)), true);
        }

    }

    /// <summary>
    /// Copies with a field inside a section crafted, checksum recomputed: in the sections that hold sizes and names
    /// (not the weights, which any value fills), at every offset, a 32-bit value that is negative, huge or merely
    /// large, as a count or a size there would be.
    /// </summary>
    private static IEnumerable<(string Damage, byte[] Bytes, bool ChecksumRecomputed)> CraftedSectionFields(byte[] file)
    {
        foreach ((string section, _, _, long sectionLength, int dataAt) in Directory(file))
        {
            if (section is "network.encoder" or "network.head" or "network.compressed")
            {
                // Weights after a short header of sizes (and names): only the first bytes.
                foreach (var damaged in Int32sAt(file, dataAt, (int)Math.Min(sectionLength, 64), section))
                    yield return damaged;
                continue;
            }
            foreach (var damaged in Int32sAt(file, dataAt, (int)Math.Min(sectionLength, 512), section))
                yield return damaged;
        }
    }

    /// <summary>Whether <paramref name="damage"/> is in a section only the task's transformer reads, not <see cref="SequenceTransformerFile.Read"/>.</summary>
    private static bool IsTaskExtra(string damage) =>
        damage.StartsWith("'transformer.", StringComparison.Ordinal)
        && !new[] { SequenceTransformerFile.CharactersSection, SequenceTransformerFile.InputScalingSection, SequenceTransformerFile.TextSection }.Any(core => damage.StartsWith($"'{core}'", StringComparison.Ordinal));

    private static IEnumerable<(string, byte[], bool)> Int32sAt(byte[] file, int start, int count, string section)
    {
        for (int offset = 0; offset + 4 <= count; offset++)
        {
            foreach (int value in new[] { -1, 1 << 24, int.MaxValue })
            {
                int at = start + offset;
                yield return ($"'{section}' byte {offset} written as {value}", Recomputed(file, bytes => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value)), true);
            }
        }
    }

    /// <summary>The directory: each section's name, where its name length and byte length are, its length, and where its bytes start.</summary>
    private static List<(string Name, int NameAt, int LengthAt, long Length, int DataAt)> Directory(byte[] file)
    {
        var entries = new List<(string, int, int, long, int)>();
        int count = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(20));
        int at = 24;
        var pending = new List<(string Name, int NameAt, int LengthAt, long Length)>();
        for (int i = 0; i < count; i++)
        {
            int nameLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at));
            string name = System.Text.Encoding.UTF8.GetString(file, at + 4, nameLength);
            long length = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(at + 4 + nameLength));
            pending.Add((name, at, at + 4 + nameLength, length));
            at += 4 + nameLength + 8;
        }
        foreach (var (name, nameAt, lengthAt, length) in pending)
        {
            entries.Add((name, nameAt, lengthAt, length, at));
            at += (int)length;
        }
        Assert.Equal(file.Length - 4, at);
        return entries;
    }

    /// <summary>A copy of <paramref name="file"/> changed by <paramref name="change"/>, its CRC-32 recomputed.</summary>
    private static byte[] Recomputed(byte[] file, Action<byte[]> change)
    {
        byte[] copy = [.. file];
        change(copy);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4), Crc32.HashToUInt32(copy.AsSpan(0, copy.Length - 4)));
        return copy;
    }

    private static List<string>[] Scores(ITransformer model, IDataView data, string[] columns)
    {
        IDataView scored = model.Transform(data);
        return [.. columns.Select(column => ColumnValues.Read(scored, column))];
    }

    private static bool InChain<TException>(Exception error) where TException : Exception
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is TException)
                return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(InChain<TException>))
                return true;
        }
        return false;
    }

    private static byte[] Save(MLContext mlContext, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        mlContext.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    /// <summary>The case's model fitted on its data, the saved zip, and the package's entry in it.</summary>
    private static (IDataView Data, ITransformer Model, byte[] Zip, byte[] Entry) FittedAndSaved(MLContext mlContext, string name)
    {
        EstimatorCase estimatorCase = EstimatorCases.Named(name);
        IDataView data = estimatorCase.TrainingData(mlContext);
        ITransformer model = estimatorCase.Estimator(mlContext).Fit(data);
        byte[] zip = Save(mlContext, model, data.Schema);
        return (data, model, zip, ReadEntry(zip));
    }

    private static byte[] ReadEntry(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        ZipArchiveEntry entry = archive.Entries.Single(e => EntryNames.Contains(e.Name));
        using Stream stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The zip with the package's entry replaced; the zip itself stays valid, so only the package's checks can notice.</summary>
    private static byte[] WithEntry(byte[] zip, byte[] bytes)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            ZipArchiveEntry entry = archive.Entries.Single(e => EntryNames.Contains(e.Name));
            string name = entry.FullName;
            entry.Delete();
            using Stream rewritten = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
            rewritten.Write(bytes);
        }
        return stream.ToArray();
    }
}
