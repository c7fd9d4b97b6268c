namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>The order-blind baseline: logistic regression on word counts, trained by full-batch gradient descent.</summary>
internal static class BagOfWordsLogisticRegression
{
    public static double TrainAndScore(List<(int[] Tokens, int Label)> train, List<(int[] Tokens, int Label)> test, int vocabularySize)
    {
        var weights = new double[vocabularySize + 1]; // last entry is the bias
        for (int iteration = 0; iteration < 500; iteration++)
        {
            var gradient = new double[weights.Length];
            foreach (var (tokens, label) in train)
            {
                double error = Probability(weights, tokens) - label;
                foreach (int token in tokens)
                    gradient[token] += error;
                gradient[vocabularySize] += error;
            }
            for (int i = 0; i < weights.Length; i++)
                weights[i] -= 0.5 * gradient[i] / train.Count;
        }
        return test.Count(e => (Probability(weights, e.Tokens) > 0.5) == (e.Label == 1)) / (double)test.Count;
    }

    private static double Probability(double[] weights, int[] tokens)
    {
        double z = weights[^1];
        foreach (int token in tokens)
            z += weights[token];
        return 1 / (1 + Math.Exp(-z));
    }
}
