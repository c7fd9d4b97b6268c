using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Xunit.Abstractions;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Span-level scores worked out by hand. Entities are written type[first token, one past the last); an entity is
/// correct only when a labelled one has the same first token, last token and type.
/// </summary>
public class TaggingEvaluationTests(ITestOutputHelper output)
{
    private const int Digits = 12;

    /// <summary>Sentences as (labelled, predicted) tags, each written as space-separated tags.</summary>
    private static TaggingMetrics Score(params (string Gold, string Predicted)[] sentences) =>
        TaggingEvaluator.Evaluate(
            [.. sentences.Select(sentence => sentence.Gold.Split(' '))],
            [.. sentences.Select(sentence => sentence.Predicted.Split(' '))]);

    private static void AssertCounts(TaggingMetrics metrics, long gold, long predicted, long correct)
    {
        Assert.Equal(gold, metrics.GoldEntityCount);
        Assert.Equal(predicted, metrics.PredictedEntityCount);
        Assert.Equal(correct, metrics.CorrectEntityCount);
    }

    private static void AssertType(TaggingMetrics metrics, string type, long gold, long predicted, long correct, double precision, double recall, double f1)
    {
        TaggingEntityMetrics byType = metrics.PerEntityType[type];
        Assert.Equal(type, byType.EntityType);
        Assert.Equal(gold, byType.GoldCount);
        Assert.Equal(predicted, byType.PredictedCount);
        Assert.Equal(correct, byType.CorrectCount);
        Assert.Equal(precision, byType.Precision, Digits);
        Assert.Equal(recall, byType.Recall, Digits);
        Assert.Equal(f1, byType.F1Score, Digits);
    }

    /// <summary>Rows of the I-without-B case and of the adjacent-entities case together (see those tests).</summary>
    private static readonly (string Gold, string Predicted)[] HandWorkedRows =
    [
        ("B-PER I-PER O B-LOC", "I-PER I-PER O I-LOC"),
        ("O B-ORG I-ORG", "O O I-ORG"),
        ("B-PER I-PER B-PER O", "B-PER I-PER I-PER O"),
        ("B-PER B-PER", "B-PER B-PER"),
    ];

    [Fact]
    public void IWithoutBBeginsAnEntity()
    {
        // Row 0: gold PER[0,2) LOC[3,4); predicted I-PER I-PER → PER[0,2) and I-LOC after O → LOC[3,4): both correct.
        // Row 1: gold ORG[1,3); predicted I-ORG after O → ORG[2,3): wrong boundary.
        // Entities: 3 labelled, 3 predicted, 2 correct → precision = recall = F1 = 2/3.
        // Tokens: row 0 B-PER≠I-PER, =, =, B-LOC≠I-LOC (2 of 4); row 1 =, B-ORG≠O, = (2 of 3) → 4/7.
        var metrics = Score(HandWorkedRows[0], HandWorkedRows[1]);

        AssertCounts(metrics, gold: 3, predicted: 3, correct: 2);
        Assert.Equal(2.0 / 3, metrics.MicroPrecision, Digits);
        Assert.Equal(2.0 / 3, metrics.MicroRecall, Digits);
        Assert.Equal(2.0 / 3, metrics.MicroF1Score, Digits);
        Assert.Equal(4.0 / 7, metrics.TokenAccuracy, Digits);
        Assert.Equal(7, metrics.TokenCount);
        Assert.Equal(4, metrics.CorrectTagCount);
        AssertType(metrics, "PER", gold: 1, predicted: 1, correct: 1, precision: 1, recall: 1, f1: 1);
        AssertType(metrics, "LOC", gold: 1, predicted: 1, correct: 1, precision: 1, recall: 1, f1: 1);
        AssertType(metrics, "ORG", gold: 1, predicted: 1, correct: 0, precision: 0, recall: 0, f1: 0);
    }

    [Fact]
    public void AdjacentEntitiesOfOneTypeSplitAtB()
    {
        // Row 0: gold B-PER I-PER B-PER → PER[0,2) PER[2,3); predicted B-PER I-PER I-PER → PER[0,3): neither matches.
        // Row 1: gold and predicted B-PER B-PER → PER[0,1) PER[1,2): both correct.
        // Entities: 4 labelled, 3 predicted, 2 correct → precision 2/3, recall 2/4,
        // F1 = 2·(2/3)·(1/2) / (2/3 + 1/2) = (2/3) / (7/6) = 4/7.
        // Tokens: row 0 =, =, B-PER≠I-PER, = (3 of 4); row 1 2 of 2 → 5/6.
        var metrics = Score(HandWorkedRows[2], HandWorkedRows[3]);

        AssertCounts(metrics, gold: 4, predicted: 3, correct: 2);
        Assert.Equal(2.0 / 3, metrics.MicroPrecision, Digits);
        Assert.Equal(0.5, metrics.MicroRecall, Digits);
        Assert.Equal(4.0 / 7, metrics.MicroF1Score, Digits);
        Assert.Equal(5.0 / 6, metrics.TokenAccuracy, Digits);
    }

    [Fact]
    public void TypeMismatchIsWrongForBothTypes()
    {
        // Gold PER[0,2), predicted ORG[0,2): same tokens, other type. PER: 1 labelled, none predicted;
        // ORG: 1 predicted, none labelled; nothing correct → every score 0. Tokens: only O right → 1/3.
        var metrics = Score(("B-PER I-PER O", "B-ORG I-ORG O"));

        AssertCounts(metrics, gold: 1, predicted: 1, correct: 0);
        Assert.Equal(0, metrics.MicroPrecision);
        Assert.Equal(0, metrics.MicroRecall);
        Assert.Equal(0, metrics.MicroF1Score);
        Assert.Equal(1.0 / 3, metrics.TokenAccuracy, Digits);
        Assert.Equal(["ORG", "PER"], metrics.PerEntityType.Keys);
        AssertType(metrics, "PER", gold: 1, predicted: 0, correct: 0, precision: 0, recall: 0, f1: 0);
        AssertType(metrics, "ORG", gold: 0, predicted: 1, correct: 0, precision: 0, recall: 0, f1: 0);
    }

    [Fact]
    public void BoundaryMismatchIsWrong()
    {
        // Row 0: gold LOC[1,4), predicted LOC[1,3): one token short, wrong. Row 1: PER[0,1) both: correct.
        // Entities: 2 labelled, 2 predicted, 1 correct → 1/2 each. Tokens: row 0 4 of 5, row 1 2 of 2 → 6/7.
        var metrics = Score(("O B-LOC I-LOC I-LOC O", "O B-LOC I-LOC O O"), ("B-PER O", "B-PER O"));

        AssertCounts(metrics, gold: 2, predicted: 2, correct: 1);
        Assert.Equal(0.5, metrics.MicroPrecision, Digits);
        Assert.Equal(0.5, metrics.MicroRecall, Digits);
        Assert.Equal(0.5, metrics.MicroF1Score, Digits);
        Assert.Equal(6.0 / 7, metrics.TokenAccuracy, Digits);
        AssertType(metrics, "LOC", gold: 1, predicted: 1, correct: 0, precision: 0, recall: 0, f1: 0);
        AssertType(metrics, "PER", gold: 1, predicted: 1, correct: 1, precision: 1, recall: 1, f1: 1);
    }

    [Fact]
    public void AllOPredictionsScoreZero()
    {
        // Gold PER[0,2) LOC[3,4); nothing predicted. Precision of no prediction is 0 (conlleval prints 0.00),
        // recall 0/2, F1 of 0 and 0 is 0. Tokens: the one O → 1/4.
        var metrics = Score(("B-PER I-PER O B-LOC", "O O O O"));

        AssertCounts(metrics, gold: 2, predicted: 0, correct: 0);
        Assert.Equal(0, metrics.MicroPrecision);
        Assert.Equal(0, metrics.MicroRecall);
        Assert.Equal(0, metrics.MicroF1Score);
        Assert.Equal(0.25, metrics.TokenAccuracy, Digits);
        AssertType(metrics, "PER", gold: 1, predicted: 0, correct: 0, precision: 0, recall: 0, f1: 0);
        AssertType(metrics, "LOC", gold: 1, predicted: 0, correct: 0, precision: 0, recall: 0, f1: 0);
    }

    [Fact]
    public void Iob1Data()
    {
        // Gold (IOB1) I-PER I-PER B-PER O I-LOC → PER[0,2) PER[2,3) LOC[4,5);
        // predicted I-PER I-PER I-PER O I-LOC → PER[0,3) LOC[4,5).
        // Entities: 3 labelled, 2 predicted, 1 correct (LOC) → precision 1/2, recall 1/3,
        // F1 = 2·(1/2)·(1/3) / (1/2 + 1/3) = (1/3) / (5/6) = 2/5. Tokens: all but B-PER≠I-PER → 4/5.
        var metrics = Score(("I-PER I-PER B-PER O I-LOC", "I-PER I-PER I-PER O I-LOC"));

        AssertCounts(metrics, gold: 3, predicted: 2, correct: 1);
        Assert.Equal(0.5, metrics.MicroPrecision, Digits);
        Assert.Equal(1.0 / 3, metrics.MicroRecall, Digits);
        Assert.Equal(0.4, metrics.MicroF1Score, Digits);
        Assert.Equal(0.8, metrics.TokenAccuracy, Digits);
        AssertType(metrics, "PER", gold: 2, predicted: 1, correct: 0, precision: 0, recall: 0, f1: 0);
    }

    /// <summary>
    /// Gold PER[0,2) LOC[3,4) ORG[4,7); predicted two one-token PER entities PER[0,1) PER[1,2), LOC[3,4), ORG[4,7).
    /// Entities: 3 labelled, 4 predicted, 2 correct → precision 2/4, recall 2/3,
    /// F1 = 2·(1/2)·(2/3) / (1/2 + 2/3) = (2/3) / (7/6) = 4/7. Tokens: the two PER tokens wrong → 5/7.
    /// </summary>
    private static void AssertIobesCase(TaggingMetrics metrics)
    {
        AssertCounts(metrics, gold: 3, predicted: 4, correct: 2);
        Assert.Equal(0.5, metrics.MicroPrecision, Digits);
        Assert.Equal(2.0 / 3, metrics.MicroRecall, Digits);
        Assert.Equal(4.0 / 7, metrics.MicroF1Score, Digits);
        Assert.Equal(5.0 / 7, metrics.TokenAccuracy, Digits);
        AssertType(metrics, "PER", gold: 1, predicted: 2, correct: 0, precision: 0, recall: 0, f1: 0);
        AssertType(metrics, "ORG", gold: 1, predicted: 1, correct: 1, precision: 1, recall: 1, f1: 1);
    }

    [Fact]
    public void IobesData()
    {
        AssertIobesCase(Score(("B-PER E-PER O S-LOC B-ORG I-ORG E-ORG", "S-PER S-PER O S-LOC B-ORG I-ORG E-ORG")));
    }

    [Fact]
    public void BilouData()
    {
        AssertIobesCase(Score(("B-PER L-PER O U-LOC B-ORG I-ORG L-ORG", "U-PER U-PER O U-LOC B-ORG I-ORG L-ORG")));
    }

    [Fact]
    public void PlainTags()
    {
        // Every tag is its own type, every token a one-token entity.
        // Gold DT NN VB DT NN, predicted DT NN NN DT VB: 5 labelled, 5 predicted, 3 correct (DT, NN, DT)
        // → precision = recall = F1 = 3/5 = token accuracy. NN: 2 labelled, 2 predicted, 1 correct → 1/2; VB: 0.
        var metrics = Score(("DT NN VB DT NN", "DT NN NN DT VB"));

        AssertCounts(metrics, gold: 5, predicted: 5, correct: 3);
        Assert.Equal(0.6, metrics.MicroF1Score, Digits);
        Assert.Equal(0.6, metrics.TokenAccuracy, Digits);
        AssertType(metrics, "DT", gold: 2, predicted: 2, correct: 2, precision: 1, recall: 1, f1: 1);
        AssertType(metrics, "NN", gold: 2, predicted: 2, correct: 1, precision: 0.5, recall: 0.5, f1: 0.5);
        AssertType(metrics, "VB", gold: 1, predicted: 1, correct: 0, precision: 0, recall: 0, f1: 0);
    }

    [Fact]
    public void LabelsOfOnlyOLetThePredictionsTellTheScheme()
    {
        // No labelled entity, one predicted (PER[0,2)): recall of nothing is 0, precision 0/1.
        var metrics = Score(("O O O", "B-PER I-PER O"));

        AssertCounts(metrics, gold: 0, predicted: 1, correct: 0);
        Assert.Equal(0, metrics.MicroF1Score);
        AssertType(metrics, "PER", gold: 0, predicted: 1, correct: 0, precision: 0, recall: 0, f1: 0);
    }

    [Fact]
    public void NoRowsScoreZero()
    {
        var metrics = Score();

        Assert.Equal(0, metrics.TokenCount);
        Assert.Equal(0, metrics.TokenAccuracy);
        Assert.Equal(0, metrics.MicroF1Score);
        Assert.Empty(metrics.PerEntityType);
    }

    [Fact]
    public void MixedLabelSchemesAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Score(("B-PER E-PER O", "O O O"), ("U-LOC O O", "O O O")));

        Assert.Contains("Column 'Label' does not hold tags of one scheme", error.Message);
        Assert.Contains("IOBES letters ('E-PER')", error.Message);
        Assert.Contains("BILOU letters ('U-LOC')", error.Message);
    }

    [Fact]
    public void PredictedTagsOfAnotherSchemeAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Score(("B-PER I-PER", "B-PER I-PER"), ("O B-LOC", "O S-LOC")));

        Assert.Contains("Column 'PredictedLabel', row 1: tag 'S-LOC' does not belong to the BIO (IOB2) or IOB1 scheme of column 'Label'", error.Message);
    }

    // ---- Through the catalog, over IDataView ----

    private sealed class TagRow
    {
        public string[] Label { get; set; } = [];

        public string[] PredictedLabel { get; set; } = [];
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";

        public float[] Scores { get; set; } = [];

        [KeyType(10)]
        public uint[] Keys { get; set; } = [];
    }

    private static TagRow[] Rows(params (string Gold, string Predicted)[] sentences) =>
        [.. sentences.Select(sentence => new TagRow { Label = sentence.Gold.Split(' '), PredictedLabel = sentence.Predicted.Split(' ') })];

    /// <summary>The numbers of <see cref="IWithoutBBeginsAnEntity"/> and <see cref="AdjacentEntitiesOfOneTypeSplitAtB"/> pooled.</summary>
    private static void AssertHandWorkedRows(TaggingMetrics metrics)
    {
        // Entities: 3 + 4 = 7 labelled (PER 5, LOC 1, ORG 1), 3 + 3 = 6 predicted (PER 4, LOC 1, ORG 1),
        // 2 + 2 = 4 correct (PER 3, LOC 1) → precision 4/6, recall 4/7,
        // F1 = 2·(2/3)·(4/7) / (2/3 + 4/7) = (16/21) / (26/21) = 8/13. Tokens: 4 + 5 of 7 + 6 → 9/13.
        // PER: precision 3/4, recall 3/5, F1 = 2·(3/4)·(3/5) / (3/4 + 3/5) = (9/10) / (27/20) = 2/3.
        AssertCounts(metrics, gold: 7, predicted: 6, correct: 4);
        Assert.Equal(2.0 / 3, metrics.MicroPrecision, Digits);
        Assert.Equal(4.0 / 7, metrics.MicroRecall, Digits);
        Assert.Equal(8.0 / 13, metrics.MicroF1Score, Digits);
        Assert.Equal(9.0 / 13, metrics.TokenAccuracy, Digits);
        Assert.Equal(["LOC", "ORG", "PER"], metrics.PerEntityType.Keys);
        AssertType(metrics, "PER", gold: 5, predicted: 4, correct: 3, precision: 0.75, recall: 0.6, f1: 2.0 / 3);
        AssertType(metrics, "LOC", gold: 1, predicted: 1, correct: 1, precision: 1, recall: 1, f1: 1);
        AssertType(metrics, "ORG", gold: 1, predicted: 1, correct: 0, precision: 0, recall: 0, f1: 0);
    }

    [Fact]
    public void HandWorkedRowsPooled()
    {
        AssertHandWorkedRows(Score(HandWorkedRows));
    }

    [Fact]
    public void CatalogReadsVectorsOfText()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(HandWorkedRows));

        AssertHandWorkedRows(mlContext.MulticlassClassification.EvaluateTagging(data));
    }

    [Fact]
    public void CatalogReadsVectorsOfKeysThroughTheirKeyValues()
    {
        var mlContext = new MLContext(seed: 1);
        // Each column gets its own key order (the predicted one meets I-PER first, the label B-PER).
        var data = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.Conversion.MapValueToKey("PredictedLabel"))
            .Fit(mlContext.Data.LoadFromEnumerable(Rows(HandWorkedRows)))
            .Transform(mlContext.Data.LoadFromEnumerable(Rows(HandWorkedRows)));
        Assert.IsType<KeyDataViewType>(((VectorDataViewType)data.Schema["PredictedLabel"].Type).ItemType);

        AssertHandWorkedRows(mlContext.MulticlassClassification.EvaluateTagging(data));
    }

    [Fact]
    public void CatalogReadsKeysAgainstText()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Transforms.Conversion.MapValueToKey("Tags", "Label")
            .Fit(mlContext.Data.LoadFromEnumerable(Rows(HandWorkedRows)))
            .Transform(mlContext.Data.LoadFromEnumerable(Rows(HandWorkedRows)));

        AssertHandWorkedRows(mlContext.MulticlassClassification.EvaluateTagging(data, labelColumnName: "Tags", predictedLabelColumnName: "PredictedLabel"));
    }

    [Fact]
    public void CatalogRefusesAMissingColumn()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(HandWorkedRows));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.EvaluateTagging(data, labelColumnName: "Tags"));

        Assert.Contains("no label column 'Tags'", error.Message);
        Assert.Contains("expected a vector of keys with text key values", error.Message);
    }

    [Theory]
    [InlineData("Text", "'Text' is String")]
    [InlineData("Scores", "'Scores' is a vector of Single")]
    [InlineData("Keys", "'Keys' is a vector of keys without text key values")]
    public void CatalogRefusesAColumnOfAnotherType(string column, string found)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a", Scores = [1f], Keys = [1] } });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.EvaluateTagging(data, predictedLabelColumnName: column, labelColumnName: column));

        Assert.Contains($"The label column {found}", error.Message);
    }

    [Fact]
    public void CatalogRefusesRowsOfDifferentLengths()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(("O O", "O O"), ("B-PER I-PER O", "B-PER I-PER")));

        var error = Assert.Throws<InvalidOperationException>(() => mlContext.MulticlassClassification.EvaluateTagging(data));

        Assert.Equal("Columns 'Label' and 'PredictedLabel', row 1: 3 tags against 2; expected one prediction per tag.", error.Message);
    }

    [Fact]
    public void CatalogRefusesAMissingKey()
    {
        var mlContext = new MLContext(seed: 1);
        // The predicted column's keys are learnt from rows without B-LOC, so B-LOC maps to key 0.
        var keys = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.Conversion.MapValueToKey("PredictedLabel"))
            .Fit(mlContext.Data.LoadFromEnumerable(Rows(("B-PER O", "B-PER O"))));
        var data = keys.Transform(mlContext.Data.LoadFromEnumerable(Rows(("B-PER O", "B-PER O"), ("O B-PER", "O B-LOC"))));

        var error = Assert.Throws<InvalidOperationException>(() => mlContext.MulticlassClassification.EvaluateTagging(data));

        Assert.Contains("Column 'PredictedLabel', row 1: key 0 (missing", error.Message);
        Assert.Contains("at position 1", error.Message);
    }

    [Fact]
    public void CatalogRefusesAnEmptyTag()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new TagRow { Label = ["O", ""], PredictedLabel = ["O", "O"] } });

        var error = Assert.Throws<InvalidOperationException>(() => mlContext.MulticlassClassification.EvaluateTagging(data));

        Assert.Contains("Column 'Label', row 0: the tag at position 1 is empty", error.Message);
    }

    [Fact]
    public void CatalogRefusesMixedSchemes()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(("B-PER I-PER", "O O"), ("NN O", "O O")));

        var error = Assert.Throws<ArgumentException>(() => mlContext.MulticlassClassification.EvaluateTagging(data));

        Assert.Contains("Column 'Label' does not hold tags of one scheme", error.Message);
        Assert.Contains("('B-PER', 'I-PER')", error.Message);
        Assert.Contains("('NN')", error.Message);
    }

    // ---- A real data set, when present ----

    /// <summary>../shared/data/ner/wnut17-test.conll from an enclosing folder of the tests, or null.</summary>
    private static string? FindWnut17Test()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string path = Path.Combine(folder.FullName, "shared", "data", "ner", "wnut17-test.conll");
            if (File.Exists(path))
                return path;
        }
        return null;
    }

    /// <summary>The tag sequences of a CoNLL file: token, tab, tag per line; a blank line between sentences.</summary>
    private static List<string[]> ReadConllTags(string path)
    {
        var sentences = new List<string[]>();
        var sentence = new List<string>();
        foreach (string line in File.ReadLines(path).Append(""))
        {
            if (line.Trim().Length == 0)
            {
                if (sentence.Count > 0)
                    sentences.Add([.. sentence]);
                sentence.Clear();
                continue;
            }
            sentence.Add(line[(line.LastIndexOf('\t') + 1)..]);
        }
        return sentences;
    }

    [Fact]
    public void Wnut17GoldAgainstItselfAndAgainstAllO()
    {
        string? path = FindWnut17Test();
        if (path is null)
        {
            output.WriteLine("Skipped: ../shared/data/ner/wnut17-test.conll is not present (development data; see shared/data/README.md).");
            return;
        }
        List<string[]> sentences = ReadConllTags(path);
        var mlContext = new MLContext(seed: 1);
        var rows = sentences.Select(tags => new TagRow { Label = tags, PredictedLabel = [.. tags.Select(_ => "O")] }).ToList();
        // The labels as keys, copied as the prediction: what a tagger that is always right would write.
        var data = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.CopyColumns("Perfect", "Label"))
            .Fit(mlContext.Data.LoadFromEnumerable(rows))
            .Transform(mlContext.Data.LoadFromEnumerable(rows));
        // The file is clean BIO: every entity begins with B-.
        long entities = sentences.Sum(tags => tags.Count(tag => tag.StartsWith("B-", StringComparison.Ordinal)));
        long tokens = sentences.Sum(tags => tags.Length);
        long outside = sentences.Sum(tags => tags.Count(tag => tag == "O"));

        var perfect = mlContext.MulticlassClassification.EvaluateTagging(data, predictedLabelColumnName: "Perfect");
        var allO = mlContext.MulticlassClassification.EvaluateTagging(data);
        output.WriteLine($"{sentences.Count} sentences; against itself: {perfect}; against all O: {allO}");

        Assert.Equal(586, sentences.Count);
        AssertCounts(perfect, gold: entities, predicted: entities, correct: entities);
        Assert.Equal(1, perfect.MicroF1Score);
        Assert.Equal(1, perfect.TokenAccuracy);
        Assert.Equal(["corporation", "creative-work", "group", "location", "person", "product"], perfect.PerEntityType.Keys);
        Assert.All(perfect.PerEntityType.Values, byType => Assert.Equal(1, byType.F1Score));
        AssertCounts(allO, gold: entities, predicted: 0, correct: 0);
        Assert.Equal(0, allO.MicroPrecision);
        Assert.Equal(0, allO.MicroF1Score);
        Assert.Equal((double)outside / tokens, allO.TokenAccuracy, Digits);
    }
}
