using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public class SequenceRowReaderTests
{
    private readonly MLContext mlContext = new(seed: 1);

    [Fact]
    public void TokenKeysBecomeTokenIdsAndTheMissingKeyTheUnknownToken()
    {
        // Keys mapped on "a b c": a=1, b=2, c=3; "zebra" is the missing key 0.
        var keys = mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(mlContext.Transforms.Conversion.MapValueToKey("Tokens"))
            .Fit(mlContext.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "a b c" } }));
        var data = keys.Transform(mlContext.Data.LoadFromEnumerable(new[] { new SentenceRow { Text = "c zebra a" } }));

        var sequences = ReadAll(data, "Tokens", SequenceInput.TokenKeys(3), maxSequenceLength: 0);

        Assert.Equal([2, 3, 0], Assert.Single(sequences).Tokens);
    }

    [Fact]
    public void SparseKeyVectorsReadAsTheirDenseForm()
    {
        // Keys of 4 tokens; an implicit value is the missing key 0, which is the unknown token 4; key 9 is out of range.
        var rows = new[]
        {
            new KeyVectorRow { Tokens = new VBuffer<uint>(6, 2, [3, 1], [1, 4]) },
            new KeyVectorRow { Tokens = new VBuffer<uint>(4, [2, 0, 4, 1]) },
            new KeyVectorRow { Tokens = new VBuffer<uint>(5, 0, [], []) },
            new KeyVectorRow { Tokens = new VBuffer<uint>(3, 1, [9], [2]) },
        };
        var data = mlContext.Data.LoadFromEnumerable(rows);

        var sequences = ReadAll(data, "Tokens", SequenceInput.TokenKeys(4), maxSequenceLength: 4);

        Assert.Equal([4, 2, 4, 4], sequences[0].Tokens);
        Assert.Equal((6, 4), (sequences[0].RowSteps, sequences[0].Steps));
        Assert.Equal([1, 4, 3, 0], sequences[1].Tokens);
        Assert.Equal([4, 4, 4, 4], sequences[2].Tokens);
        Assert.Equal([4, 4, 4], sequences[3].Tokens); // scoring reads a key out of range as the unknown token
    }

    [Fact]
    public void ASparseKeyOutOfRangeFailsTrainingNamingItsStep()
    {
        var data = mlContext.Data.LoadFromEnumerable(new[] { new KeyVectorRow { Tokens = new VBuffer<uint>(5, 2, [1, 7], [1, 3]) } });
        using var cursor = data.GetRowCursor(data.Schema);
        var reader = new SequenceRowReader(cursor, data.Schema["Tokens"], SequenceInput.TokenKeys(4), 0, "training");
        cursor.MoveNext();

        var error = Assert.Throws<InvalidOperationException>(reader.Read);

        Assert.Equal("Column 'Tokens', row 0 of the training data: key 7 at step 3 is out of range; expected keys from 0 (unknown) to 4.", error.Message);
    }

    private sealed class KeyVectorRow
    {
        [KeyType(4)]
        [VectorType]
        public VBuffer<uint> Tokens { get; set; }
    }

    [Fact]
    public void MaxSequenceLengthKeepsTheFirstStepsAndCountsThemAll()
    {
        var data = mlContext.Data.LoadFromEnumerable(new[]
        {
            new BinarySequenceRow { Features = [1f, 2f, 3f, 4f, 5f, 6f] },
            new BinarySequenceRow { Features = [7f, 8f] },
        });

        var sequences = ReadAll(data, "Features", SequenceInput.FloatSteps(2), maxSequenceLength: 2);

        Assert.Equal((3, 2), (sequences[0].RowSteps, sequences[0].Steps));
        Assert.Equal([1f, 2f, 3f, 4f], sequences[0].Features);
        Assert.Equal((1, 1), (sequences[1].RowSteps, sequences[1].Steps));
        Assert.Equal([7f, 8f], sequences[1].Features);
    }

    [Fact]
    public void ErrorsNameTheSetWhenTraining()
    {
        var data = mlContext.Data.LoadFromEnumerable(new[] { new BinarySequenceRow { Features = [1f, float.NegativeInfinity] } });
        using var cursor = data.GetRowCursor(data.Schema);
        var reader = new SequenceRowReader(cursor, data.Schema["Features"], SequenceInput.FloatSteps(1), 0, "validation");
        cursor.MoveNext();

        var error = Assert.Throws<InvalidOperationException>(reader.Read);

        Assert.Equal($"Column 'Features', row 0 of the validation data: value {float.NegativeInfinity} at step 1, feature 0; expected finite numbers.", error.Message);
    }

    private static List<(int RowSteps, int Steps, int[] Tokens, float[] Features)> ReadAll(
        IDataView data, string column, SequenceInput input, int maxSequenceLength)
    {
        var read = new List<(int, int, int[], float[])>();
        using var cursor = data.GetRowCursor(data.Schema);
        var reader = new SequenceRowReader(cursor, data.Schema[column], input, maxSequenceLength);
        while (cursor.MoveNext())
        {
            reader.Read();
            read.Add((reader.RowSteps, reader.Steps, reader.Tokens.ToArray(), reader.Features.ToArray()));
        }
        return read;
    }
}
