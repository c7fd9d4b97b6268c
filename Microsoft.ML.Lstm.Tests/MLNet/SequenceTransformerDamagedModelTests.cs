using System.IO.Compression;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class SequenceTransformerDamagedModelTests
{
    [Fact]
    public void LoadRejectsAlteredNetwork()
    {
        var exception = LoadAfterRewritingModelEntry(bytes =>
        {
            // A byte of the network's weights, before the 4-byte checksum.
            bytes[^40] ^= 0x5A;
            return bytes;
        });

        Assert.Contains("CRC-32", exception.Message);
        Assert.Contains("altered or corrupted", exception.Message);
    }

    [Fact]
    public void LoadRejectsTruncatedNetwork()
    {
        var exception = LoadAfterRewritingModelEntry(bytes => bytes[..(bytes.Length - 10)]);

        Assert.Contains("truncated", exception.Message);
    }

    [Fact]
    public void LoadRejectsAnEntryThatIsNotAModelFile()
    {
        var exception = LoadAfterRewritingModelEntry(bytes =>
        {
            bytes[0] = (byte)'X';
            return bytes;
        });

        Assert.Contains("not a Microsoft.ML.Lstm model", exception.Message);
    }

    [Fact]
    public void LoadRefusesTheLayoutOfTheFirstVersionNamingTheVersions()
    {
        // An ML.NET model (a zip; .gitignore keeps *.zip out) saved at commit d6bbdef by the binary trainer (a tiny
        // token network) in the previous layout: a header of its own, the network framed by a SHA-256, and inside
        // that a model file with its own version and CRC-32.
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "MLNet", "binary-classifier-layout-0x00010001.mlnet");

        var exception = ExceptionChain.Find<InvalidDataException>(Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _)));

        Assert.Equal(
            "This SequenceBinaryClassificationTransformer ('LstmBinaryClassXf') was saved in layout 0x00010001 by an earlier version of Microsoft.ML.Lstm; " +
            "this version reads layout 0x00010002 and later. Train and save the model again with this version.",
            exception.Message);
    }

    [Fact]
    public void LoadOfTruncatedFileFails()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        string path = TemporaryModelPath();
        try
        {
            mlContext.Model.Save(BinaryTransformer(mlContext), data.Schema, path);
            byte[] file = File.ReadAllBytes(path);
            File.WriteAllBytes(path, file[..(file.Length / 2)]);

            Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Saves a model, rewrites the zip entry holding its one model file (the zip itself stays valid, so
    /// only the package's own checks can notice), loads it and returns the exception.
    /// </summary>
    private static InvalidDataException LoadAfterRewritingModelEntry(Func<byte[], byte[]> rewrite)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        string path = TemporaryModelPath();
        try
        {
            mlContext.Model.Save(BinaryTransformer(mlContext), data.Schema, path);
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.Entries.Single(e => e.Name == "SequenceModel.bin");
                byte[] bytes;
                using (var stream = entry.Open())
                using (var copy = new MemoryStream())
                {
                    stream.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                string name = entry.FullName;
                entry.Delete();
                using var rewritten = zip.CreateEntry(name).Open();
                rewritten.Write(rewrite(bytes));
            }

            // ML.NET calls the loader through reflection, so the package's error arrives wrapped.
            return ExceptionChain.Find<InvalidDataException>(Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
