// A journal of finished sampling batches, so a data stage stopped by a signal (or killed) resumes where it stopped
// instead of from zero. One file per rank: a header line naming what was sampled (config hash, rank, batch shape),
// then one checksummed record per finished batch, appended and fsynced. Loading keeps the longest prefix of whole,
// valid records (a kill -9 mid-append loses at most the batch being written) and starts over when the header differs.
#pragma once
#include <string>
#include <vector>

#include "r1/generate/sampler.h"

namespace r1::generate {

class CompletionJournal {
 public:
  // `identity` must change whenever the rows, seeds, sampling settings or batch shape change.
  CompletionJournal(std::string path, std::string identity);

  // The completions recorded by earlier runs, in order (empty when there is no usable journal). Rewrites the file
  // to its valid prefix, or to a fresh header when the identity differs.
  std::vector<Completion> load();
  // Appends one finished batch durably.
  void append(const std::vector<Completion>& batch);
  // Deletes the journal (after the stage wrote its final output).
  void remove();

  const std::string& path() const { return path_; }

 private:
  std::string path_, identity_;
};

}  // namespace r1::generate
