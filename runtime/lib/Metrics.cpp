//===- Metrics.cpp - Progress lines and the metrics JSON file -------------===//
#include "Metrics.h"

#include "AtomicFile.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace dlnrt {

std::string formatThousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

/// `v` in fixed notation with `digits` decimals (printf's %.Nf).
static std::string fixed(double v, int digits) {
  return fmt::format("{:.{}f}", v, digits);
}

static std::string formatMetric(const NamedMetric &metric) {
  if (metric.kind == "accuracy")
    return "test_" + metric.name + " " + fixed(metric.value * 100, 2) + "%";
  return "test_" + metric.name + " " + fixed(metric.value, 4);
}

static void appendTest(std::string &s, const Metrics &m) {
  if (m.testLoss)
    s += "  test_loss " + fixed(*m.testLoss, 4);
  // A model's own metrics replace the accuracy of its output.
  if (m.testAccuracy && m.testMetrics.empty())
    s += "  test_acc " + fixed(*m.testAccuracy * 100, 2) + "%";
  for (const NamedMetric &metric : m.testMetrics)
    s += "  " + formatMetric(metric);
}

std::string formatEpochLine(int64_t epoch, int64_t epochs, const Metrics &m) {
  // Pad the epoch number to the width of the total so a long run's lines stay
  // aligned.
  int width = std::max<int>(3, static_cast<int>(std::to_string(epochs).size()));
  std::string s = fmt::format("epoch {:>{}}/{}", epoch, width, epochs);
  if (m.trainLoss)
    s += "  train_loss " + fixed(*m.trainLoss, 4);
  for (const StepLoss &step : m.stepLosses)
    s += "  " + step.step + "_loss " + fixed(step.value, 4);
  appendTest(s, m);
  if (m.trainSeconds)
    s += "  " + fixed(*m.trainSeconds, 2) + " s";
  if (m.samplesPerSecond && std::isfinite(*m.samplesPerSecond))
    s += "  " +
         formatThousands(
             static_cast<int64_t>(std::llround(*m.samplesPerSecond))) +
         " samples/s";
  return s;
}

std::string formatFinalLine(const Metrics &m) {
  std::vector<std::string> fields;
  for (const NamedMetric &metric : m.testMetrics)
    fields.push_back(formatMetric(metric));
  // A model's own metrics replace the accuracy of its output.
  if (m.testAccuracy && m.testMetrics.empty())
    fields.push_back("test_acc " + fixed(*m.testAccuracy * 100, 2) + "%");
  if (m.testLoss)
    fields.push_back("test_loss " + fixed(*m.testLoss, 4));
  if (m.trainLoss)
    fields.push_back("train_loss " + fixed(*m.trainLoss, 4));
  for (const StepLoss &step : m.stepLosses)
    fields.push_back(step.step + "_loss " + fixed(step.value, 4));
  std::string s = "final:";
  for (size_t i = 0; i < fields.size(); ++i)
    s += (i ? "  " : " ") + fields[i];
  return s;
}

/// JSON has no NaN or infinity; such values become null.
static nlohmann::json jsonNumber(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

std::string metricsToJson(const Metrics &m) {
  // ordered_json keeps the documented key order.
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (m.config)
    j["config"] = *m.config;
  if (m.trainLoss)
    j["train_loss"] = jsonNumber(*m.trainLoss);
  if (!m.stepLosses.empty()) {
    nlohmann::ordered_json steps = nlohmann::ordered_json::object();
    for (const StepLoss &step : m.stepLosses)
      steps[step.step] = jsonNumber(step.value);
    j["train_step_losses"] = std::move(steps);
  }
  if (m.testLoss)
    j["test_loss"] = jsonNumber(*m.testLoss);
  if (m.testAccuracy)
    j["test_accuracy"] = jsonNumber(*m.testAccuracy);
  if (m.testTop5Accuracy)
    j["test_top5_accuracy"] = jsonNumber(*m.testTop5Accuracy);
  if (m.testMse)
    j["test_mse"] = jsonNumber(*m.testMse);
  if (!m.testMetrics.empty()) {
    nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
    for (const NamedMetric &metric : m.testMetrics)
      metrics[metric.name] = jsonNumber(metric.value);
    j["test_metrics"] = std::move(metrics);
  }
  if (m.epochs)
    j["epochs"] = *m.epochs;
  if (!m.history.empty()) {
    nlohmann::ordered_json history = nlohmann::ordered_json::array();
    for (const EpochRecord &record : m.history) {
      nlohmann::ordered_json entry = {{"epoch", record.epoch},
                                      {"lr", jsonNumber(record.lr)}};
      if (record.trainLoss)
        entry["train_loss"] = jsonNumber(*record.trainLoss);
      if (!record.stepLosses.empty()) {
        nlohmann::ordered_json steps = nlohmann::ordered_json::object();
        for (const StepLoss &step : record.stepLosses)
          steps[step.step] = jsonNumber(step.value);
        entry["train_step_losses"] = std::move(steps);
      }
      history.push_back(std::move(entry));
    }
    j["history"] = std::move(history);
  }
  if (m.samplesPerSecond)
    j["samples_per_second"] = jsonNumber(*m.samplesPerSecond);
  if (m.trainSeconds)
    j["train_seconds"] = jsonNumber(*m.trainSeconds);
  if (m.numClasses > 0 &&
      m.confusion.size() == static_cast<size_t>(m.numClasses * m.numClasses)) {
    nlohmann::ordered_json matrix = nlohmann::ordered_json::array();
    nlohmann::ordered_json recall = nlohmann::ordered_json::array();
    for (int64_t t = 0; t < m.numClasses; ++t) {
      auto row = m.confusion.begin() + t * m.numClasses;
      std::vector<int64_t> counts(row, row + m.numClasses);
      int64_t total = 0;
      for (int64_t c : counts)
        total += c;
      matrix.push_back(counts);
      recall.push_back(total ? nlohmann::ordered_json(
                                   static_cast<double>(counts[t]) / total)
                             : nlohmann::ordered_json(nullptr));
    }
    j["test_confusion_matrix"] = std::move(matrix);
    j["test_per_class_accuracy"] = std::move(recall);
  }
  return j.dump() + "\n";
}

void writeMetricsJson(const std::string &path, const Metrics &m) {
  writeOutput(path, metricsToJson(m));
}

} // namespace dlnrt
