using System.Diagnostics;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `heads` mode: what a tagging head costs beside the encoder under it. A bidirectional LSTM tagger takes one
/// training step (loss and backward through head and encoder) with a per-step softmax head and with a CRF head over
/// BIO tags, and the CRF head's own parts are timed on the encoded batch: its training loss (emissions, forward
/// algorithm, backward algorithm, marginals), its backward (pair marginals, dense layer), its evaluation loss (forward
/// algorithm and Viterbi) and its prediction (everything but the gradients).
/// </summary>
/// <remarks>
/// Defaults: 32 sentences of 20 tokens, a 5,000-word vocabulary embedded in 64, hidden 64 per direction, 13 tags
/// (BIO over 6 span types). Each figure is the median of the rounds, after one warm-up; the two training steps are timed in turn.
/// </remarks>
internal static class HeadsRunner
{
    public static void Run(string[] args)
    {
        int rounds = ShapesRunner.IntOption(args, "--rounds", 51);
        int sentences = ShapesRunner.IntOption(args, "--batch", 32), length = ShapesRunner.IntOption(args, "--steps", 20);
        int hidden = ShapesRunner.IntOption(args, "--hidden", 64), types = ShapesRunner.IntOption(args, "--types", 6);
        int threads = ShapesRunner.IntOption(args, "--threads", 1);
        int tags = 2 * types + 1;
        var encoder = new EncoderSpec { Input = SequenceInputKind.Tokens, VocabularySize = 5000, EmbeddingSize = 64, HiddenSize = hidden, Bidirectional = true };
        var random = new Random(1);
        var batch = SequenceBatch<float>.FromTokens(Enumerable.Range(0, sentences).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(5000)).ToArray()).ToList());
        // Every tag path O … O is allowed by BIO; spans are not needed to time the head.
        var targets = new float[sentences * length];

        var softmax = new SequenceNetwork<float>(new NetworkSpec(encoder, new StepSoftmaxHeadSpec { ClassCount = tags }), seed: 1, threads);
        var crf = new SequenceNetwork<float>(new NetworkSpec(encoder, Bio(types)), seed: 1, threads);
        // Alternated round by round, so a burst of load from other work on the machine falls on both alike.
        double[] steps = Medians(rounds, () => TrainingStep(softmax, batch, targets), () => TrainingStep(crf, batch, targets));
        double softmaxStep = steps[0], crfStep = steps[1];

        EncodedBatch<float> encoded = crf.Encoder.Forward(batch, training: true);
        ISequenceHead<float> head = crf.Head;
        var featureGradient = new float[encoded.Features.Length];
        var predictions = new float[2 * sentences * length];
        double trainingLoss = Median(rounds, () => head.Loss(encoded, targets, training: true));
        double backward = Median(rounds, () =>
        {
            head.Loss(encoded, targets, training: true);
            head.Backward(encoded, featureGradient, null);
        }) - trainingLoss;
        double evaluationLoss = Median(rounds, () => head.Loss(encoded, targets, training: false));
        double predict = Median(rounds, () => head.Predict(encoded, predictions));

        Console.WriteLine($"{sentences} sentences of {length} tokens, hidden {hidden} per direction, {tags} tags, {threads} thread(s), median of {rounds} rounds");
        Console.WriteLine("| training step, per-step softmax (ms) | training step, CRF (ms) | CRF head: training loss (ms) | CRF head: backward (ms) | CRF head: evaluation loss with Viterbi (ms) | CRF head: predict (ms) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {softmaxStep:F2} | {crfStep:F2} | {trainingLoss:F3} | {backward:F3} | {evaluationLoss:F3} | {predict:F3} |");
    }

    private static void TrainingStep(SequenceNetwork<float> network, SequenceBatch<float> batch, float[] targets)
    {
        network.Parameters.ZeroGradients();
        network.Loss(batch, targets, training: true);
        network.Backward();
    }

    /// <summary>BIO over <paramref name="types"/> span types: tag 0 is O, 2x + 1 is B-x, 2x + 2 is I-x, which follows only B-x or I-x.</summary>
    private static CrfHeadSpec Bio(int types)
    {
        int k = 2 * types + 1;
        var transitions = new bool[k * k];
        var starts = new bool[k];
        for (int to = 0; to < k; to++)
        {
            bool inside = to > 0 && to % 2 == 0;
            starts[to] = !inside;
            for (int from = 0; from < k; from++)
                transitions[from * k + to] = !inside || from == to || from == to - 1;
        }
        return new CrfHeadSpec { ClassCount = k, AllowedTransitions = transitions, AllowedStarts = starts };
    }

    private static double Median(int rounds, Action action) => Medians(rounds, action)[0];

    /// <summary>The median time of each action in milliseconds, the actions run in turn in every round after one warm-up round.</summary>
    private static double[] Medians(int rounds, params Action[] actions)
    {
        var times = new double[actions.Length, rounds];
        for (int r = -1; r < rounds; r++)
        {
            for (int a = 0; a < actions.Length; a++)
            {
                var clock = Stopwatch.StartNew();
                actions[a]();
                if (r >= 0)
                    times[a, r] = clock.Elapsed.TotalMilliseconds;
            }
        }
        var medians = new double[actions.Length];
        for (int a = 0; a < actions.Length; a++)
        {
            double[] sorted = Enumerable.Range(0, rounds).Select(r => times[a, r]).Order().ToArray();
            medians[a] = sorted[rounds / 2];
        }
        return medians;
    }
}
