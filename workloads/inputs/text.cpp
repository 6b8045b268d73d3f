// LRA Text (IMDb reviews, byte level) and Retrieval (ACL Anthology Network paper pairs, byte level).
//
// SYNTHETIC STAND-INS: ssmsim ships no datasets, so these produce English-looking ASCII from built-in
// word lists, with the LRA encoding (tfds ByteTextEncoder: id = byte + 1, pad 0, vocab 257) and the LRA
// shape (truncate or pad each document to seq_len; LRA uses 4000 bytes for both tasks, 4000 x 2 for
// Retrieval). Document lengths follow a log-normal fit of the real corpora (IMDb reviews: median ~970
// bytes; AAN papers: median ~8000 bytes, so most are truncated at 4000), drawn through a quantile table
// so no floating-point library call is involved. The label is random and given a weak textual cue:
// reviews sprinkle positive or negative words, and linked paper pairs (label 1) share a topic.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/util/rng.h"
#include "workloads/inputs/detail.h"
#include "workloads/inputs/inputs.h"

namespace ssmsim::workloads {
namespace {

constexpr std::string_view kCommon[] = {
    "the",   "a",         "and",   "of",       "to",      "is",      "in",      "it",      "that",   "this",
    "was",   "as",        "with",  "for",      "but",     "on",      "not",     "you",     "are",    "his",
    "have",  "he",        "be",    "one",      "all",     "at",      "by",      "they",    "an",     "who",
    "so",    "from",      "like",  "her",      "or",      "just",    "about",   "out",     "has",    "if",
    "some",  "there",     "what",  "more",     "when",    "very",    "she",     "even",    "my",     "would",
    "only",  "which",     "their", "had",      "really",  "see",     "were",    "we",      "me",     "can",
    "than",  "much",      "been",  "get",      "will",    "into",    "also",    "other",   "do",     "first",
    "how",   "because",   "then",  "two",      "them",    "way",     "could",   "make",    "any",    "after",
    "think", "watch",     "many",  "seen",     "being",   "never",   "know",    "little",  "where",  "over",
    "while", "these",     "thing", "does",     "still",   "through", "years",   "back",    "though", "real",
    "time",  "people",    "scene", "life",     "end",     "world",   "man",     "work",    "part",   "again",
    "every", "something", "going", "actually", "doesn't", "new",     "without", "another", "before", "long"};

constexpr std::string_view kPositive[] = {"great",     "excellent",  "wonderful", "best",     "love",
                                          "beautiful", "brilliant",  "perfect",   "enjoyed",  "amazing",
                                          "superb",    "favorite",   "fun",       "touching", "masterpiece",
                                          "recommend", "delightful", "fine"};

constexpr std::string_view kNegative[] = {
    "bad",  "worst", "awful", "boring",        "waste",     "terrible", "poor", "stupid", "horrible",
    "dull", "mess",  "lame",  "disappointing", "pointless", "annoying", "weak", "cheap",  "ridiculous"};

constexpr std::string_view kMovie[] = {"movie",    "film",       "story",      "plot",   "acting",
                                       "director", "characters", "cast",       "script", "ending",
                                       "music",    "camera",     "performance"};

// Topics for the paper-like documents (AAN is the ACL anthology).
constexpr std::string_view kTopics[][10] = {{"parsing", "treebank", "grammar", "dependency", "parser",
                                             "syntactic", "constituent", "tree", "head", "attachment"},
                                            {"translation", "alignment", "bilingual", "phrase", "decoder",
                                             "bleu", "source", "target", "reordering", "corpus"},
                                            {"sentiment", "opinion", "polarity", "review", "lexicon",
                                             "subjective", "aspect", "emotion", "classifier", "rating"},
                                            {"speech", "acoustic", "recognition", "prosody", "spoken",
                                             "dialogue", "utterance", "phoneme", "transcription", "audio"},
                                            {"semantic", "role", "frame", "predicate", "argument", "sense",
                                             "wordnet", "disambiguation", "ontology", "entailment"},
                                            {"entity", "extraction", "relation", "named", "tagging",
                                             "sequence", "crf", "annotation", "mention", "coreference"}};
constexpr uint64_t kNumTopics = std::size(kTopics);

constexpr std::string_view kAcademic[] = {
    "we",          "propose",  "method",   "model",       "results", "show",       "approach",
    "data",        "task",     "features", "performance", "system",  "evaluation", "paper",
    "previous",    "work",     "training", "set",         "based",   "using",      "proposed",
    "experiments", "baseline", "accuracy", "section",     "table",   "figure",     "improves"};

// Quantiles of document length in bytes at p = 0, 1/16, ..., 1 (log-normal fits, see file comment).
constexpr int64_t kReviewLength[17] = {50,   342,  444,  531,  613,  696,  781,  872,  970,
                                       1080, 1205, 1352, 1534, 1773, 2121, 2753, 13700};
constexpr int64_t kPaperLength[17] = {300,  2345,  3187,  3934,  4664,  5411,  6200,  7054, 8000,
                                      9073, 10323, 11828, 13722, 16267, 20080, 27296, 60000};

int64_t draw_length(Rng& rng, const int64_t (&q)[17]) {
    const uint64_t u = rng.below(16 * 4096);  // bin and position inside it, linear interpolation
    const uint64_t bin = u / 4096, frac = u % 4096;
    return q[bin] + (q[bin + 1] - q[bin]) * static_cast<int64_t>(frac) / 4096;
}

template <size_t N>
std::string_view pick(Rng& rng, const std::string_view (&words)[N]) {
    return words[rng.below(N)];
}

// Where a word comes from: the caller's mix of common words and task-specific ones.
struct Style {
    bool review = true;
    int32_t label = 0;   // reviews: sentiment
    uint64_t topic = 0;  // papers
};

std::string_view draw_word(Rng& rng, const Style& s) {
    const uint64_t r = rng.below(100);
    if (s.review) {
        if (r < 8) {
            // Mostly the review's own sentiment; a quarter of the time the other one ("not bad at all").
            const bool positive = (s.label == 1) != (rng.below(4) == 0);
            return positive ? pick(rng, kPositive) : pick(rng, kNegative);
        }
        return r < 18 ? pick(rng, kMovie) : pick(rng, kCommon);
    }
    if (r < 15) {
        return kTopics[s.topic][rng.below(10)];
    }
    return r < 40 ? pick(rng, kAcademic) : pick(rng, kCommon);
}

void append_sentence(Rng& rng, const Style& s, std::string& out) {
    const int words = 4 + static_cast<int>(rng.below(16));
    for (int i = 0; i < words; ++i) {
        const size_t start = out.size();
        out.append(draw_word(rng, s));
        if (i == 0 && out[start] >= 'a' && out[start] <= 'z') {
            out[start] = static_cast<char>(out[start] - 'a' + 'A');  // not std::toupper: locale-free
        }
        if (i + 1 < words) {
            out.append(rng.below(12) == 0 ? ", " : " ");
        }
    }
    const uint64_t end = rng.below(10);
    out.push_back(end < 8 || !s.review ? '.' : (end == 8 ? '!' : '?'));
}

// A document of about `length` bytes in whole sentences, cut at `limit` (the token budget).
std::string make_document(Rng& rng, const Style& s, int64_t length, int64_t limit) {
    std::string doc;
    std::string sentence;
    while (static_cast<int64_t>(doc.size()) < std::min(length, limit)) {
        sentence.clear();
        if (!doc.empty()) {
            // IMDb reviews carry their HTML paragraph breaks; papers have newlines.
            const bool paragraph = rng.below(8) == 0;
            sentence = paragraph ? (s.review ? "<br /><br />" : "\n") : " ";
        }
        append_sentence(rng, s, sentence);
        // Stop short rather than overshoot a document that fits the budget.
        if (!doc.empty() && length <= limit && static_cast<int64_t>(doc.size() + sentence.size()) > length) {
            break;
        }
        doc += sentence;
    }
    if (static_cast<int64_t>(doc.size()) > limit) {
        doc.resize(static_cast<size_t>(limit));  // LRA truncates to max_length
    }
    return doc;
}

void encode_row(const std::string& doc, int64_t seq_len, std::vector<int32_t>& tokens) {
    for (char c : doc) {
        tokens.push_back(static_cast<int32_t>(static_cast<unsigned char>(c)) + 1);
    }
    tokens.resize(tokens.size() + static_cast<size_t>(seq_len) - doc.size(), kBytePad);
}

}  // namespace

TaskInput make_text(uint64_t seed, int64_t seq_len) {
    detail::require_min_seq_len("text", seq_len, 1);
    Rng rng = Rng::for_stream(seed, "lra/text");
    TaskInput in;
    in.label = static_cast<int32_t>(rng.below(2));
    const Style style{true, in.label, 0};
    const int64_t length = draw_length(rng, kReviewLength);
    encode_row(make_document(rng, style, length, seq_len), seq_len, in.tokens);
    in.rows = 1;
    in.seq_len = seq_len;
    in.vocab = kByteVocab;
    return in;
}

TaskInput make_retrieval(uint64_t seed, int64_t seq_len) {
    detail::require_min_seq_len("retrieval", seq_len, 1);
    Rng rng = Rng::for_stream(seed, "lra/retrieval");
    TaskInput in;
    in.label = static_cast<int32_t>(rng.below(2));
    const uint64_t topic_a = rng.below(kNumTopics);
    const uint64_t topic_b = in.label == 1 ? topic_a : (topic_a + 1 + rng.below(kNumTopics - 1)) % kNumTopics;
    for (uint64_t topic : {topic_a, topic_b}) {
        const Style style{false, 0, topic};
        const int64_t length = draw_length(rng, kPaperLength);
        encode_row(make_document(rng, style, length, seq_len), seq_len, in.tokens);
    }
    in.rows = 2;
    in.seq_len = seq_len;
    in.vocab = kByteVocab;
    return in;
}

}  // namespace ssmsim::workloads
