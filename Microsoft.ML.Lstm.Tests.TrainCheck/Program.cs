// Trains a small BiLSTM sentiment classifier through the package's catalog entry with a checkpoint written after every
// minibatch, then prints the score of each test sentence as the hex of its float bits, one per line. The test that
// runs it kills one run mid-training and starts it again with the same checkpoint: the second run resumes, and must
// print what an uninterrupted run prints. Lines of MLContext.Log about the checkpoint go to standard error.
//
// Usage: TrainCheck CHECKPOINT_PATH
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Lstm;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: TrainCheck CHECKPOINT_PATH");
    return 1;
}

var mlContext = new MLContext(seed: 1);
mlContext.Log += (_, message) =>
{
    if (message.Message.Contains("checkpoint", StringComparison.OrdinalIgnoreCase))
        Console.Error.WriteLine(message.Message);
};

var training = mlContext.Data.LoadFromEnumerable(Reviews.Generate(400, seed: 1));
var options = new LstmBinaryTrainer.Options
{
    FeatureColumnName = "Tokens",
    EmbeddingSize = 16,
    HiddenSize = 24,
    Dropout = 0.2,
    Epochs = 5,
    BatchSize = 16,
    LearningRate = 0.01,
    ValidationFraction = 0.1,
    NumberOfThreads = 2,
    CheckpointPath = args[0],
    CheckpointInterval = TimeSpan.Zero,
};
var model = mlContext.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
    .Append(mlContext.Transforms.Conversion.MapValueToKey("Tokens"))
    .Append(mlContext.BinaryClassification.Trainers.Lstm(options))
    .Fit(training);

var scored = model.Transform(mlContext.Data.LoadFromEnumerable(Reviews.Generate(40, seed: 2)));
foreach (float score in scored.GetColumn<float>("Score"))
    Console.WriteLine(BitConverter.SingleToInt32Bits(score).ToString("x8", CultureInfo.InvariantCulture));
return 0;

/// <summary>A review: text and whether it is positive.</summary>
internal sealed class Review
{
    public string Text { get; set; } = "";

    public bool Label { get; set; }
}

/// <summary>Generated reviews whose label a word decides, with "not" reversing it.</summary>
internal static class Reviews
{
    private static readonly string[] Good = ["good", "great", "lovely", "fine"];
    private static readonly string[] Bad = ["bad", "awful", "boring", "poor"];
    private static readonly string[] Fillers = ["the", "film", "was", "really", "plot", "and", "it", "very", "acting", "music"];

    public static Review[] Generate(int count, int seed)
    {
        var random = new Random(seed);
        var reviews = new Review[count];
        for (int i = 0; i < count; i++)
        {
            bool positive = random.Next(2) == 0, negated = random.Next(3) == 0;
            string[] words = positive != negated ? Good : Bad;
            var text = new List<string>();
            for (int f = 2 + random.Next(6); f > 0; f--)
                text.Add(Fillers[random.Next(Fillers.Length)]);
            text.Insert(random.Next(text.Count + 1), (negated ? "not " : "") + words[random.Next(words.Length)]);
            reviews[i] = new Review { Text = string.Join(' ', text), Label = positive };
        }
        return reviews;
    }
}
