using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using static Microsoft.ML.Lstm.Tests.MLNet.LstmTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

public sealed class LstmPretrainedWordVectorsTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"lstm-vectors-{Guid.NewGuid():N}.txt");

    public void Dispose() => File.Delete(path);

    private static readonly Dictionary<string, float[]> FileVectors = new()
    {
        ["good"] = [0.5f, 0.25f, -0.125f, 1f, 0f],
        ["bad"] = [-0.5f, -0.25f, 0.125f, -1f, 0f],
        ["movie"] = [0f, 0.75f, 0.75f, 0f, 0.5f],
    };

    private void WriteVectors(bool word2VecHeader)
    {
        var lines = new List<string>();
        if (word2VecHeader)
            lines.Add($"{FileVectors.Count + 1} 5");
        lines.Add("unrelated 1 2 3 4 5");
        lines.AddRange(FileVectors.Select(entry => entry.Key + " " + string.Join(' ', entry.Value.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        File.WriteAllLines(path, lines);
    }

    private (TransformerChain<SequenceBinaryClassificationTransformer> Model, string[] Tokens) Fit(bool freeze, int epochs = 3)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Reviews(24, seed: 1));
        var options = Tiny<LstmBinaryTrainer.Options>(epochs: epochs);
        options.PretrainedWordVectorsPath = path;
        options.FreezeWordVectors = freeze;
        var model = Tokenize(mlContext).Append(mlContext.BinaryClassification.Trainers.Lstm(options)).Fit(data);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        model.Transform(data).Schema["Tokens"].GetKeyValues(ref keyValues);
        return (model, keyValues.DenseValues().Select(value => value.ToString()).ToArray());
    }

    private static float[] EmbeddingRow(TransformerChain<SequenceBinaryClassificationTransformer> model, int token)
    {
        var embedding = model.LastTransformer.Model.Network.Embedding!;
        return embedding.Vectors.Slice(token * embedding.Dimension, embedding.Dimension).ToArray();
    }

    [Fact]
    public void TextColumnStartsItsVocabularyFromTheVectors()
    {
        WriteVectors(word2VecHeader: false);
        var mlContext = new MLContext(seed: 1);
        var options = Tiny<LstmBinaryTrainer.Options>(featureColumnName: "Text", epochs: 2);
        options.PretrainedWordVectorsPath = path;
        options.FreezeWordVectors = true;

        var model = mlContext.BinaryClassification.Trainers.Lstm(options).Fit(mlContext.Data.LoadFromEnumerable(Reviews(24, seed: 1)));

        var embedding = model.Model.Network.Embedding!;
        IReadOnlyList<string> words = model.Features.Vocabulary!.Words;
        foreach (var (word, vector) in FileVectors)
            Assert.Equal(vector, embedding.Vectors.Slice(words.ToList().IndexOf(word) * embedding.Dimension, embedding.Dimension).ToArray());
    }

    [Fact]
    public void FrozenVectorsStayAsLoadedAndSetTheEmbeddingSize()
    {
        WriteVectors(word2VecHeader: false);

        var (model, tokens) = Fit(freeze: true);

        foreach (var (word, vector) in FileVectors)
            Assert.Equal(vector, EmbeddingRow(model, Array.IndexOf(tokens, word)));
        Assert.Equal(5, model.LastTransformer.Model.Spec.Encoder.EmbeddingSize);
    }

    [Fact]
    public void FineTunedVectorsStartAsLoadedAndMove()
    {
        WriteVectors(word2VecHeader: true);

        var (model, tokens) = Fit(freeze: false);

        Assert.NotEqual(FileVectors["good"], EmbeddingRow(model, Array.IndexOf(tokens, "good")));
    }

    [Fact]
    public void LinesOfDifferentLengthsAreRejectedNamingFileAndLine()
    {
        File.WriteAllLines(path, ["good 1 2 3", "bad 1 2"]);

        var error = Assert.Throws<InvalidDataException>(() => Fit(freeze: false, epochs: 1));

        Assert.Contains($"'{path}', line 2: expected a word followed by 3 numbers", error.Message);
    }

    [Fact]
    public void MissingFileIsRejectedBeforeTraining()
    {
        var error = Assert.Throws<FileNotFoundException>(() => Fit(freeze: false, epochs: 1));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void NumericFeatureColumnCannotTakeWordVectors()
    {
        WriteVectors(word2VecHeader: false);
        var mlContext = new MLContext(seed: 1);
        var options = Tiny<LstmRegressionTrainer.Options>(featureColumnName: "Features", epochs: 1);
        options.PretrainedWordVectorsPath = path;

        var error = Assert.Throws<ArgumentException>(() => mlContext.Regression.Trainers.Lstm(options).Fit(mlContext.Data.LoadFromEnumerable(Series(4, seed: 1))));

        Assert.Contains("needs a feature column of text or token keys", error.Message);
    }

    [Fact]
    public void WordsAreLookedUpAsWrittenThenInLowerCase()
    {
        File.WriteAllLines(path, ["good 1 1", "Good 2 2", "bad 3 3"]);

        var vectors = PretrainedWordVectors.Read(path, ["Good", "BAD", "good", "zebra"], CancellationToken.None);

        Assert.Equal([2f, 2f], vectors.Vectors[0]!);
        Assert.Equal([3f, 3f], vectors.Vectors[1]!);
        Assert.Equal([1f, 1f], vectors.Vectors[2]!);
        Assert.Null(vectors.Vectors[3]);
        Assert.Equal(3, vectors.Found);
    }
}
