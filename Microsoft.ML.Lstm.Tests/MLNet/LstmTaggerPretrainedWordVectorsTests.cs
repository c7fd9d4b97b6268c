using Microsoft.ML.Data;
using static Microsoft.ML.Lstm.Tests.MLNet.TaggingTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>The trainers' pretrained word vectors option, in the tagger beside its character column.</summary>
public sealed class LstmTaggerPretrainedWordVectorsTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"tagger-vectors-{Guid.NewGuid():N}.txt");

    public void Dispose() => File.Delete(path);

    [Fact]
    public void TaggerStartsFromPretrainedVectorsLookedUpInLowerCaseAndKeepsThemFrozen()
    {
        // "Yesterday" is capitalised in the sentences below; the file has it in lower case only.
        var vectors = new Dictionary<string, float[]>
        {
            ["yesterday"] = [0.5f, -0.25f, 1f, 0f, 0.125f, -1f],
            ["news"] = [-0.5f, 0.25f, 0f, 1f, -0.125f, 1f],
        };
        File.WriteAllLines(path, vectors.Select(entry => entry.Key + " " + string.Join(' ', entry.Value.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));

        var mlContext = new MLContext(seed: 1);
        TaggedSentence[] sentences = Sentences(120, seed: 3, testNames: false);
        foreach (TaggedSentence sentence in sentences)
            sentence.Tokens = [.. sentence.Tokens.Select(token => token == "yesterday" ? "Yesterday" : token)];
        IDataView data = mlContext.Data.LoadFromEnumerable(sentences);
        ITransformer keys = MapKeys(mlContext, data);
        IDataView mapped = keys.Transform(data);
        LstmTaggerTrainer.Options options = Tiny(epochs: 2);
        options.PretrainedWordVectorsPath = path;
        options.FreezeWordVectors = true;

        SequenceTaggingTransformer tagger = mlContext.MulticlassClassification.Trainers.LstmTagger(options).Fit(mapped);

        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        mapped.Schema["TokenKeys"].GetKeyValues(ref keyValues);
        string[] tokens = [.. keyValues.DenseValues().Select(value => value.ToString())];
        var embedding = tagger.Model.Network.Embedding!;
        Assert.Equal(6, embedding.Dimension);
        Assert.Equal(vectors["yesterday"], embedding.Vectors.Slice(Array.IndexOf(tokens, "Yesterday") * 6, 6).ToArray());
        Assert.Equal(vectors["news"], embedding.Vectors.Slice(Array.IndexOf(tokens, "news") * 6, 6).ToArray());
        TaggingMetrics metrics = mlContext.MulticlassClassification.EvaluateTagging(tagger.Transform(mapped), "Label", "PredictedLabel");
        Assert.True(metrics.TokenAccuracy > 0.8, $"token accuracy {metrics.TokenAccuracy:P1}");
    }
}
