using System.IO.Compression;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class SequenceTransformerDamagedModelTests
{
    [Fact]
    public void LoadRejectsAlteredNetwork()
    {
        var exception = LoadAfterRewritingNetworkEntry(bytes =>
        {
            // A byte of the network's weights, past the header, format name and length.
            bytes[^40] ^= 0x5A;
            return bytes;
        });

        Assert.Contains("checksum does not match", exception.Message);
    }

    [Fact]
    public void LoadRejectsTruncatedNetwork()
    {
        var exception = LoadAfterRewritingNetworkEntry(bytes => bytes[..(bytes.Length - 10)]);

        Assert.Contains("truncated", exception.Message);
    }

    [Fact]
    public void LoadRejectsNetworkOfUnknownFormat()
    {
        var exception = LoadAfterRewritingNetworkEntry(bytes =>
        {
            // The format name "MeanOfSteps/1" follows the 4-byte magic and its 1-byte length.
            bytes[5] = (byte)'X';
            return bytes;
        });

        Assert.Contains("format 'XeanOfSteps/1'", exception.Message);
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
    /// Saves a model, rewrites the zip entry holding the network (the zip itself stays valid, so
    /// only the package's own checks can notice), loads it and returns the exception.
    /// </summary>
    private static InvalidDataException LoadAfterRewritingNetworkEntry(Func<byte[], byte[]> rewrite)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(BinaryRows());
        string path = TemporaryModelPath();
        try
        {
            mlContext.Model.Save(BinaryTransformer(mlContext), data.Schema, path);
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.Entries.Single(e => e.Name == "SequenceNetwork.bin");
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
