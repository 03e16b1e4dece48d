//===- OutputPathsTest.cpp - File identity and safe output files ----------===//
#include "OutputPaths.h"
#include "AtomicFile.h"
#include "Error.h"
#include "TempDir.h"

#include <algorithm>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <gtest/gtest.h>

using namespace dlnrt;

namespace {

std::string errorOf(const std::function<void()> &f) {
  try {
    f();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> listDir(const std::string &path) {
  std::vector<std::string> names;
  DIR *d = ::opendir(path.c_str());
  while (dirent *e = d ? ::readdir(d) : nullptr)
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
      names.push_back(e->d_name);
  if (d)
    ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

// Spellings and symlinks of one file (existing or not) share an identity.
TEST(OutputPaths, IdentityIgnoresSpelling) {
  TempDir dir;
  dir.write("a", "x");
  dir.write("b", "x");
  ASSERT_EQ(::mkdir(dir.file("sub").c_str(), 0755), 0);
  ASSERT_EQ(::symlink(dir.file("a").c_str(), dir.file("link").c_str()), 0);
  auto a = fileIdentity(dir.file("a"));
  ASSERT_TRUE(a);
  EXPECT_EQ(fileIdentity(dir.path() + "/./a"), a);
  EXPECT_EQ(fileIdentity(dir.path() + "/sub/../a"), a);
  EXPECT_EQ(fileIdentity(dir.file("link")), a);
  EXPECT_NE(fileIdentity(dir.file("b")), a);
  auto fresh = fileIdentity(dir.file("new"));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fileIdentity(dir.path() + "/sub/../new"), fresh);
  EXPECT_NE(fileIdentity(dir.file("new2")), fresh);
  EXPECT_FALSE(fileIdentity(dir.file("no/such/dir/x")));
}

// An output that is an input or another output is refused, naming both.
TEST(OutputPaths, OutputsMustBeDistinct) {
  TempDir dir;
  dir.write("data.csv", "1,2\n");
  ASSERT_EQ(::symlink("data.csv", dir.file("alias").c_str()), 0);
  EXPECT_EQ(errorOf([&] {
              checkOutputsDistinct({{"--save", dir.file("out.npz")}},
                                   {{"train data", dir.file("data.csv")}});
            }),
            "");
  EXPECT_EQ(errorOf([&] {
              checkOutputsDistinct({{"--save", dir.file("alias")}},
                                   {{"train data", dir.file("data.csv")}});
            }),
            "--save " + dir.file("alias") + " is the same file as train data " +
                dir.file("data.csv") + "; refusing to overwrite it");
  EXPECT_NE(errorOf([&] {
              checkOutputsDistinct(
                  {{"--save", dir.file("m.json")},
                   {"--metrics-json", dir.path() + "/./m.json"}},
                  {});
            }).find("is the same file as --metrics-json"),
            std::string::npos);
}

// Each writer gets its own unpredictable temporary name beside PATH, and
// nothing is left behind without commit().
TEST(AtomicFile, TemporaryNamesAreFreshAndRemoved) {
  TempDir dir;
  std::string path = dir.file("m.npz");
  {
    AtomicFileWriter a(path), b(path);
    EXPECT_NE(a.tempPath(), b.tempPath());
    EXPECT_EQ(a.tempPath().rfind(path + ".tmp-", 0), 0u);
    EXPECT_EQ(a.tempPath().size(), path.size() + 5 + 12);
    EXPECT_EQ(listDir(dir.path()).size(), 2u);
  }
  EXPECT_TRUE(listDir(dir.path()).empty());
}

// Devices, FIFOs and directories are never replaced; a FIFO appearing before
// commit() is caught too and the temporary file removed.
TEST(AtomicFile, ReplacesOnlyRegularFiles) {
  TempDir dir;
  std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(errorOf([&] { writeFileAtomically(fifo, "x"); }),
            fifo + ": not a regular file; refusing to replace it");
  EXPECT_NE(errorOf([&] {
              checkReplaceable("/dev/null");
            }).find("/dev/null: not a regular file"),
            std::string::npos);
  EXPECT_EQ(
      errorOf([&] { checkReplaceable("/dev/null", OutputKind::FileOrStream); }),
      "");
  std::string late = dir.file("late");
  EXPECT_NE(errorOf([&] {
              AtomicFileWriter w(late);
              w.write("x", 1);
              ASSERT_EQ(::mkfifo(late.c_str(), 0600), 0);
              w.commit();
            }).find("not a regular file"),
            std::string::npos);
  struct stat st;
  ASSERT_EQ(::stat(late.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(listDir(dir.path()), (std::vector<std::string>{"fifo", "late"}));
}

// Streams are written in place: the metrics reach a FIFO's reader.
TEST(AtomicFile, WritesStreamsDirectly) {
  TempDir dir;
  std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  writeOutput(fifo, "{\"a\":1}\n");
  char buf[64] = {};
  EXPECT_EQ(::read(reader, buf, sizeof buf), 8);
  EXPECT_STREQ(buf, "{\"a\":1}\n");
  ::close(reader);
  writeOutput("/dev/null", "ignored");
  writeOutput(dir.file("plain.json"), "{}\n");
  EXPECT_EQ(readAll(dir.file("plain.json")), "{}\n");
}
