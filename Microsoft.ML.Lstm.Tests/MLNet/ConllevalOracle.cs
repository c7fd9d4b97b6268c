namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// conlleval's counting loop (the CoNLL-2000 scorer, conlleval.pl version 2004-01-26, with the startOfChunk and
/// endOfChunk of its extended versions that read IOBES), ported line by line on tag strings as an oracle for the
/// span-based evaluator. Sentences are separated as the script's blank lines separate them; <c>raw</c> is its
/// <c>-r</c> (every tag but O becomes B-tag). BILOU tags are given to it as IOBES.
/// </summary>
internal static class ConllevalOracle
{
    internal sealed record Counts(
        int FoundCorrect, int FoundGuessed, int CorrectChunk, int CorrectTags, int TokenCounter,
        Dictionary<string, int> FoundCorrectByType, Dictionary<string, int> FoundGuessedByType, Dictionary<string, int> CorrectChunkByType);

    public static Counts Run(IReadOnlyList<string[]> gold, IReadOnlyList<string[]> guessed, bool raw = false)
    {
        int foundCorrect = 0, foundGuessed = 0, correctChunk = 0, correctTags = 0, tokenCounter = 0;
        var foundCorrectByType = new Dictionary<string, int>();
        var foundGuessedByType = new Dictionary<string, int>();
        var correctChunkByType = new Dictionary<string, int>();
        bool inCorrect = false;
        string lastCorrect = "O", lastGuessed = "O", lastCorrectType = "", lastGuessedType = "";

        for (int sentence = 0; sentence < gold.Count; sentence++)
        {
            // Each token, then the boundary line, read as O O.
            for (int position = 0; position <= gold[sentence].Length; position++)
            {
                bool boundary = position == gold[sentence].Length;
                string correctTag = boundary ? "O" : gold[sentence][position];
                string guessedTag = boundary ? "O" : guessed[sentence][position];
                if (raw)
                {
                    if (correctTag != "O")
                        correctTag = "B-" + correctTag;
                    if (guessedTag != "O")
                        guessedTag = "B-" + guessedTag;
                }
                (string correct, string correctType) = Split(correctTag);
                (string guess, string guessType) = Split(guessedTag);

                if (inCorrect)
                {
                    bool correctEnds = EndOfChunk(lastCorrect, correct, lastCorrectType, correctType);
                    bool guessedEnds = EndOfChunk(lastGuessed, guess, lastGuessedType, guessType);
                    if (correctEnds && guessedEnds && lastGuessedType == lastCorrectType)
                    {
                        inCorrect = false;
                        correctChunk++;
                        Increment(correctChunkByType, lastCorrectType);
                    }
                    else if (correctEnds != guessedEnds || guessType != correctType)
                    {
                        inCorrect = false;
                    }
                }

                bool correctStarts = StartOfChunk(lastCorrect, correct, lastCorrectType, correctType);
                bool guessedStarts = StartOfChunk(lastGuessed, guess, lastGuessedType, guessType);
                if (correctStarts && guessedStarts && guessType == correctType)
                    inCorrect = true;
                if (correctStarts)
                {
                    foundCorrect++;
                    Increment(foundCorrectByType, correctType);
                }
                if (guessedStarts)
                {
                    foundGuessed++;
                    Increment(foundGuessedByType, guessType);
                }
                if (!boundary)
                {
                    if (correct == guess && guessType == correctType)
                        correctTags++;
                    tokenCounter++;
                }

                lastGuessed = guess;
                lastCorrect = correct;
                lastGuessedType = guessType;
                lastCorrectType = correctType;
            }
        }
        if (inCorrect)
        {
            correctChunk++;
            Increment(correctChunkByType, lastCorrectType);
        }
        return new Counts(foundCorrect, foundGuessed, correctChunk, correctTags, tokenCounter, foundCorrectByType, foundGuessedByType, correctChunkByType);
    }

    /// <summary>conlleval's <c>/^([^-]*)-(.*)$/</c>: the prefix before the first hyphen and the type after it.</summary>
    private static (string Tag, string Type) Split(string tag)
    {
        int hyphen = tag.IndexOf('-');
        return hyphen < 0 ? (tag, "") : (tag[..hyphen], tag[(hyphen + 1)..]);
    }

    private static void Increment(Dictionary<string, int> counts, string type) =>
        counts[type] = counts.GetValueOrDefault(type) + 1;

    private static bool EndOfChunk(string prevTag, string tag, string prevType, string type)
    {
        bool chunkEnd = false;
        if (prevTag == "B" && tag == "B") chunkEnd = true;
        if (prevTag == "B" && tag == "O") chunkEnd = true;
        if (prevTag == "B" && tag == "S") chunkEnd = true;

        if (prevTag == "I" && tag == "B") chunkEnd = true;
        if (prevTag == "I" && tag == "S") chunkEnd = true;
        if (prevTag == "I" && tag == "O") chunkEnd = true;

        if (prevTag == "E" && tag == "E") chunkEnd = true;
        if (prevTag == "E" && tag == "I") chunkEnd = true;
        if (prevTag == "E" && tag == "O") chunkEnd = true;
        if (prevTag == "E" && tag == "S") chunkEnd = true;
        if (prevTag == "E" && tag == "B") chunkEnd = true;

        if (prevTag == "S" && tag == "E") chunkEnd = true;
        if (prevTag == "S" && tag == "I") chunkEnd = true;
        if (prevTag == "S" && tag == "O") chunkEnd = true;
        if (prevTag == "S" && tag == "S") chunkEnd = true;
        if (prevTag == "S" && tag == "B") chunkEnd = true;

        if (prevTag != "O" && prevTag != "." && prevType != type) chunkEnd = true;
        return chunkEnd;
    }

    private static bool StartOfChunk(string prevTag, string tag, string prevType, string type)
    {
        bool chunkStart = false;
        if (prevTag == "B" && tag == "B") chunkStart = true;
        if (prevTag == "I" && tag == "B") chunkStart = true;
        if (prevTag == "O" && tag == "B") chunkStart = true;
        if (prevTag == "S" && tag == "B") chunkStart = true;
        if (prevTag == "E" && tag == "B") chunkStart = true;

        if (prevTag == "B" && tag == "S") chunkStart = true;
        if (prevTag == "I" && tag == "S") chunkStart = true;
        if (prevTag == "O" && tag == "S") chunkStart = true;
        if (prevTag == "S" && tag == "S") chunkStart = true;
        if (prevTag == "E" && tag == "S") chunkStart = true;

        if (prevTag == "O" && tag == "I") chunkStart = true;
        if (prevTag == "S" && tag == "I") chunkStart = true;
        if (prevTag == "E" && tag == "I") chunkStart = true;

        if (prevTag == "S" && tag == "E") chunkStart = true;
        if (prevTag == "E" && tag == "E") chunkStart = true;
        if (prevTag == "O" && tag == "E") chunkStart = true;

        if (tag != "O" && tag != "." && prevType != type) chunkStart = true;
        return chunkStart;
    }
}
