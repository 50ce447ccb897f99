// One verifiable prompt: the question text (no template), its gold answer and, for countdown, the numbers.
#pragma once
#include <string>
#include <vector>

namespace r1 {

struct PromptExample {
  std::string id;                  // stable id: "<task>-<16 hex of hash of question>" or "<file>:<line>"
  std::string task;                // arithmetic | countdown | linear | file
  int level = 1;                   // difficulty 1..5 (files: 1, or the row's `level`)
  std::string language = "en";     // language of the question (en | es)
  std::string question;            // problem text, no template
  std::string answer;              // gold answer text ("118"; countdown: the target)
  std::vector<long long> numbers;  // countdown: the given numbers
  long long target = 0;            // countdown target
  // Language-independent canonical form of the problem ("(17 + 25) * 3 - 8", "3,5,7->22", "3x + 7 = 22"):
  // the key of the train/eval split and of de-duplication, so a problem and its translation share a split.
  // Files: the question text.
  std::string problem_key;
};

}  // namespace r1
