// CSV reader on small, tricky inputs: quoting, line ends, BOM, spaces,
// missing values, types, errors with line numbers, gzip, and inputs that
// straddle the reader's 1 MiB blocks.
#include "hypertune/ml/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using ::testing::HasSubstr;
using testing::WriteTempFile;

Table Parse(std::string_view text, const CsvOptions& options = {}) {
  Result<Table> t = ParseCsv(text, options, "t.csv");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(t).value() : Table();
}

std::string ParseError(std::string_view text, const CsvOptions& options = {}) {
  Result<Table> t = ParseCsv(text, options, "t.csv");
  EXPECT_FALSE(t.ok());
  return t.ok() ? "" : t.status().message();
}

std::vector<std::string> Strings(const Column& c) {
  std::vector<std::string> out;
  for (size_t r = 0; r < c.size(); ++r) out.push_back(c.IsMissing(r) ? "<NA>" : c.ValueString(r));
  return out;
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(CsvTest, TypesAndValues) {
  Table t = Parse("a,b,c\n1,x,2.5\n-3,y,1e3\n+4,x,-0.125\n");
  ASSERT_EQ(t.num_rows(), 3u);
  ASSERT_EQ(t.num_columns(), 3u);
  EXPECT_EQ(t.names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(t.column(0).type, ColumnType::kNumeric);
  EXPECT_EQ(t.column(0).numeric, (std::vector<double>{1, -3, 4}));
  EXPECT_EQ(t.column(1).type, ColumnType::kCategorical);
  EXPECT_EQ(t.column(1).categories, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(t.column(1).codes, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(t.column(2).numeric, (std::vector<double>{2.5, 1000, -0.125}));
}

TEST(CsvTest, NumbersParseExactly) {
  // Random doubles of every magnitude, written with 17 digits and with the
  // short forms people write, read back bit for bit as strtod reads them.
  std::mt19937_64 gen(42);
  std::string text = "x\n";
  std::vector<double> expected;
  char buf[64];
  for (int i = 0; i < 3000; ++i) {
    double v;
    switch (i % 4) {
      case 0:
        v = std::ldexp(static_cast<double>(gen() >> 11), static_cast<int>(gen() % 200) - 150);
        break;
      case 1:
        v = static_cast<double>(static_cast<int64_t>(gen() % 2000001) - 1000000) / 1000.0;
        break;
      case 2:
        v = static_cast<double>(gen() % 100000);
        break;
      default:
        v = static_cast<double>(gen() % 1000000) / 100.0;
        break;
    }
    if (i % 7 == 0) v = -v;
    std::snprintf(buf, sizeof(buf), i % 2 == 0 ? "%.17g" : "%.6f", v);
    text += buf;
    text += '\n';
    expected.push_back(std::strtod(buf, nullptr));
  }
  text += "12345678901234567890\n0.1e-400\n1e400\n";
  expected.push_back(12345678901234567890.0);
  expected.push_back(0.0);
  expected.push_back(INFINITY);
  Table t = Parse(text);
  ASSERT_EQ(t.column(0).type, ColumnType::kNumeric);
  ASSERT_EQ(t.column(0).numeric.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(t.column(0).numeric[i], expected[i]) << "row " << i;
  }
}

TEST(CsvTest, NotNumbersMakeACategoricalColumn) {
  for (const char* field : {"0x10", "1.2.3", "1e", "--1", "+-1", "1,5", "12abc", "."}) {
    CsvOptions opts;
    opts.delimiter = ';';
    Table t = Parse(std::string("v\n1\n") + field + "\n", opts);
    EXPECT_EQ(t.column(0).type, ColumnType::kCategorical) << field;
    // The numeric row before keeps its value as text.
    EXPECT_EQ(Strings(t.column(0)), (std::vector<std::string>{"1", field})) << field;
  }
}

TEST(CsvTest, ColumnTurningCategoricalKeepsNumbersAsShortestText) {
  Table t = Parse("v\n007\n2.50\n\nabc\n1\n");
  ASSERT_EQ(t.column(0).type, ColumnType::kCategorical);
  // Documented: rows read as numbers before "abc" get the number's text.
  EXPECT_EQ(Strings(t.column(0)), (std::vector<std::string>{"7", "2.5", "abc", "1"}));
  // Forcing the type keeps the exact text.
  CsvOptions opts;
  opts.column_types["v"] = ColumnType::kCategorical;
  Table forced = Parse("v\n007\n2.50\n", opts);
  EXPECT_EQ(Strings(forced.column(0)), (std::vector<std::string>{"007", "2.50"}));
}

TEST(CsvTest, ForcedNumericRejectsTextWithLineAndColumn) {
  CsvOptions opts;
  opts.column_types["b"] = ColumnType::kNumeric;
  EXPECT_EQ(ParseError("a,b\n1,2\n3,4\n5,x7\n", opts),
            "t.csv:4: column 'b': 'x7' is not a number (the column is forced numeric)");
  opts.column_types.clear();
  opts.column_types["zz"] = ColumnType::kNumeric;
  EXPECT_EQ(ParseError("a,b\n1,2\n", opts),
            "t.csv: column_types names 'zz', which is not a column (columns: a, b)");
}

TEST(CsvTest, QuotedFields) {
  Table t = Parse(
      "name,text,n\n"
      "a,\"hello, world\",1\n"
      "b,\"she said \"\"hi\"\"\",2\n"
      "c,\"two\nlines\",3\n"
      "d,\"\",4\n"
      "\"e\",plain\"quote,5\n");
  ASSERT_EQ(t.num_rows(), 5u);
  EXPECT_EQ(Strings(t.column(0)), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(Strings(t.column(1)), (std::vector<std::string>{"hello, world", "she said \"hi\"",
                                                            "two\nlines", "<NA>", "plain\"quote"}));
  EXPECT_EQ(t.column(2).numeric, (std::vector<double>{1, 2, 3, 4, 5}));
}

TEST(CsvTest, LineNumbersCountNewlinesInsideQuotes) {
  // The record on line 5 is ragged; two of the lines before are inside a
  // quoted field.
  EXPECT_EQ(ParseError("a,b\n1,\"x\ny\nz\"\n2\n"),
            "t.csv:5: expected 2 fields, found 1 (the row ends before column 'b')");
}

TEST(CsvTest, QuoteErrors) {
  EXPECT_EQ(ParseError("a,b\n1,2\n3,\"open\n4,5\n"),
            "t.csv:3: column 'b': quoted field is never closed");
  EXPECT_EQ(ParseError("a,b\n1,\"x\"y\n"),
            "t.csv:2: column 'b': unexpected 'y' after the closing quote of a quoted field");
}

TEST(CsvTest, LineEndsCrlfAndCr) {
  for (const char* eol : {"\r\n", "\r", "\n"}) {
    std::string text =
        std::string("a,b") + eol + "1,x" + eol + "\"q" + eol + "q\",y" + eol + "3,z" + eol;
    Table t = Parse(text);
    ASSERT_EQ(t.num_rows(), 3u) << "eol " << static_cast<int>(eol[0]);
    EXPECT_EQ(Strings(t.column(0)),
              (std::vector<std::string>{"1", std::string("q") + eol + "q", "3"}));
    EXPECT_EQ(Strings(t.column(1)), (std::vector<std::string>{"x", "y", "z"}));
    // Line numbers count CRLF as one break.
    EXPECT_THAT(ParseError(text + "4" + eol), HasSubstr("t.csv:6: expected 2 fields"));
  }
}

TEST(CsvTest, ByteOrderMarkIsSkipped) {
  Table t = Parse(
      "\xEF\xBB\xBF"
      "id,v\n1,2\n");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"id", "v"}));
}

TEST(CsvTest, SpacesAroundFieldsAreTrimmed) {
  // As in the original adult.data: ", " separators.
  Table t = Parse(" age , workclass, income\n39, State-gov, <=50K\n50,  Private ,>50K\n");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"age", "workclass", "income"}));
  EXPECT_EQ(t.column(0).numeric, (std::vector<double>{39, 50}));
  EXPECT_EQ(t.column(1).categories, (std::vector<std::string>{"State-gov", "Private"}));
  EXPECT_EQ(t.column(2).categories, (std::vector<std::string>{"<=50K", ">50K"}));
  // Around quotes too, but not inside them.
  Table q = Parse("a,b\n  \" x \"  ,1\n");
  EXPECT_EQ(q.column(0).categories, (std::vector<std::string>{" x "}));
  CsvOptions keep;
  keep.trim_spaces = false;
  Table k = Parse("a,b\nx , y\n", keep);
  EXPECT_EQ(k.column(0).categories, (std::vector<std::string>{"x "}));
  EXPECT_EQ(k.column(1).categories, (std::vector<std::string>{" y"}));
}

TEST(CsvTest, MissingValueTokens) {
  Table t =
      Parse("n,c\n1,a\n,\nNA,NA\nN/A,N/A\n?,?\nNaN,NaN\nnan,nan\nnull,null\n\"\",\"NA\"\n2,b\n");
  ASSERT_EQ(t.num_rows(), 10u);
  EXPECT_EQ(t.column(0).type, ColumnType::kNumeric);
  EXPECT_EQ(t.column(0).CountMissing(), 8u);
  EXPECT_EQ(t.column(1).type, ColumnType::kCategorical);
  EXPECT_EQ(t.column(1).CountMissing(), 8u);
  EXPECT_EQ(t.column(1).categories, (std::vector<std::string>{"a", "b"}));
  // Configurable: only "-" is missing; "NA" is then a category.
  CsvOptions opts;
  opts.na_values = {"-"};
  Table u = Parse("c\nNA\n-\nx\n", opts);
  EXPECT_EQ(Strings(u.column(0)), (std::vector<std::string>{"NA", "<NA>", "x"}));
}

TEST(CsvTest, AllMissingColumnIsNumeric) {
  Table t = Parse("a,b\n1,\n2,NA\n3,\n");
  EXPECT_EQ(t.column(1).type, ColumnType::kNumeric);
  EXPECT_EQ(t.column(1).CountMissing(), 3u);
}

TEST(CsvTest, RaggedRowsNameTheLine) {
  EXPECT_EQ(ParseError("a,b,c\n1,2,3\n4,5\n"),
            "t.csv:3: expected 3 fields, found 2 (the row ends before column 'c')");
  EXPECT_EQ(ParseError("a,b,c\n1,2,3\n4,5,6,7,8\n"),
            "t.csv:3: expected 3 fields, found 5 (extra field '7' after column 'c')");
  // The same through the quoted (slow) path.
  EXPECT_EQ(ParseError("a,b,c\n1,2,3\n\"4\",5\n"),
            "t.csv:3: expected 3 fields, found 2 (the row ends before column 'c')");
  // And from a file.
  const std::string path = WriteTempFile("ragged.csv", "a,b\n1,2\n3,4\n5\n");
  Result<Table> t = ReadCsv(path);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            path + ":4: expected 2 fields, found 1 (the row ends before column 'b')");
}

TEST(CsvTest, EmptyInputs) {
  EXPECT_EQ(ParseError(""), "t.csv: empty file (no header line)");
  EXPECT_EQ(ParseError("\n\n"), "t.csv: empty file (no header line)");
  CsvOptions no_header;
  no_header.has_header = false;
  EXPECT_EQ(ParseError("", no_header), "t.csv: empty file (no data line)");
  Table t = Parse("a,b\n");
  EXPECT_EQ(t.num_rows(), 0u);
  EXPECT_EQ(t.num_columns(), 2u);
  const std::string path = WriteTempFile("empty.csv", "");
  Result<Table> f = ReadCsv(path);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), path + ": empty file (no header line)");
}

TEST(CsvTest, BlankLinesAndNoFinalNewline) {
  Table t = Parse("a,b\n\n1,2\n   \n\n3,4");
  EXPECT_EQ(t.column(0).numeric, (std::vector<double>{1, 3}));
  EXPECT_EQ(t.column(1).numeric, (std::vector<double>{2, 4}));
}

TEST(CsvTest, HeaderNames) {
  EXPECT_EQ(ParseError("a,b,a\n1,2,3\n"), "t.csv:1: duplicate column name 'a' (columns 1 and 3)");
  Table t = Parse("a,,\"c,d\"\n1,2,3\n");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"a", "Unnamed: 1", "c,d"}));
  CsvOptions no_header;
  no_header.has_header = false;
  Table n = Parse("1,x\n2,y\n", no_header);
  EXPECT_EQ(n.names(), (std::vector<std::string>{"column_1", "column_2"}));
  EXPECT_EQ(n.num_rows(), 2u);
}

TEST(CsvTest, DelimiterSniffedOrGiven) {
  Table semi = Parse("a;b;c\n1,5;x;2\n");
  EXPECT_EQ(semi.num_columns(), 3u);
  EXPECT_EQ(semi.column(0).categories, (std::vector<std::string>{"1,5"}));
  Table tab = Parse("a\tb\n1\t2\n");
  EXPECT_EQ(tab.num_columns(), 2u);
  EXPECT_EQ(tab.column(1).numeric, (std::vector<double>{2}));
  // Commas win a tie, and when there is no candidate at all.
  EXPECT_EQ(Parse("a,b;c\n1,2;3\n").num_columns(), 2u);
  EXPECT_EQ(Parse("abc\n1\n").num_columns(), 1u);
  // Delimiters inside quotes do not count.
  EXPECT_EQ(Parse("\"a;b;c\",d\n1,2\n").num_columns(), 2u);
  CsvOptions pipe;
  pipe.delimiter = '|';
  Table p = Parse("a|b\n1|2\n", pipe);
  EXPECT_EQ(p.num_columns(), 2u);
  CsvOptions bad;
  bad.delimiter = '"';
  EXPECT_THAT(ParseError("a\n", bad), HasSubstr("cannot use '\"' as the delimiter"));
}

TEST(CsvTest, FilesPlainAndGzip) {
  const std::string text = "x,y\n1,a\n2,\"b\nc\"\n3,a\n";
  const std::string plain = WriteTempFile("plain.csv", text);
  const std::string gz = WriteTempFile("plain.csv.gz", Gzip(text));
  // Detected by magic bytes, whatever the name says.
  const std::string gz_no_suffix = WriteTempFile("compressed.txt", Gzip(text));
  for (const std::string& path : {plain, gz, gz_no_suffix}) {
    Result<Table> t = ReadCsv(path);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->column(0).numeric, (std::vector<double>{1, 2, 3})) << path;
    EXPECT_EQ(Strings(t->column(1)), (std::vector<std::string>{"a", "b\nc", "a"})) << path;
  }
  // Two gzip members one after the other are one stream (as gzip -d reads).
  const std::string two = WriteTempFile("two.csv.gz", Gzip("x,y\n1,a\n") + Gzip("2,b\n"));
  Result<Table> t2 = ReadCsv(two);
  ASSERT_TRUE(t2.ok()) << t2.status();
  EXPECT_EQ(t2->num_rows(), 2u);
}

TEST(CsvTest, DamagedGzipAndMissingFiles) {
  const std::string gz = Gzip(std::string(200000, 'a'));
  const std::string truncated = WriteTempFile("truncated.csv.gz", gz.substr(0, gz.size() / 2));
  Result<Table> t = ReadCsv(truncated);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(t.status().message(), truncated + ": truncated gzip data (unexpected end of file)");
  std::string flipped = gz;
  flipped[20] = static_cast<char>(flipped[20] ^ 0x55);
  flipped[21] = static_cast<char>(flipped[21] ^ 0x55);
  const std::string corrupt = WriteTempFile("corrupt.csv.gz", flipped);
  Result<Table> c = ReadCsv(corrupt);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(c.status().message(), HasSubstr(corrupt + ": "));
  Result<Table> dir = ReadCsv(std::filesystem::temp_directory_path().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(dir.status().message(), HasSubstr(": is a directory"));
  Result<Table> missing = ReadCsv("/nonexistent/dir/x.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/dir/x.csv: cannot open"));
}

// A file of over 3 MiB whose records, quoted newlines, doubled quotes and
// CRLFs fall across block boundaries, with one field longer than the
// reader's headroom: reading the file block by block must give what
// parsing the whole text at once gives.
TEST(CsvTest, BlockBoundariesChangeNothing) {
  std::mt19937 gen(7);
  std::string text = "id,text,value,cat\r\n";
  for (int i = 0; i < 60000; ++i) {
    text += std::to_string(i) + ",";
    switch (gen() % 5) {
      case 0:
        text += "\"multi\r\nline \"\"quoted\"\"\nfield " + std::to_string(i) + "\"";
        break;
      case 1:
        text += "\"" + std::string(gen() % 300, 'q') + ",x\"";
        break;
      case 2:
        text += "";
        break;
      default:
        text += "plain" + std::to_string(gen() % 50);
        break;
    }
    text += "," + std::to_string(static_cast<double>(gen() % 100000) / 7.0) + ",";
    text += (gen() % 3 == 0) ? "NA" : "c" + std::to_string(gen() % 10);
    text += (i % 2 == 0) ? "\r\n" : "\n";
    if (i == 30000) text += "\n\n";  // blank lines mid-file
    if (i == 40000) {
      text += "40000b,\"" + std::string(200000, 'L') + "\",1,c1\n";
    }
  }
  ASSERT_GT(text.size(), size_t{3} << 20);
  Result<Table> whole = ParseCsv(text, {}, "whole");
  ASSERT_TRUE(whole.ok()) << whole.status();
  const std::string path = WriteTempFile("blocks.csv", text);
  const std::string gz_path = WriteTempFile("blocks.csv.gz", Gzip(text));
  for (const std::string& p : {path, gz_path}) {
    Result<Table> file = ReadCsv(p);
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_EQ(file->num_rows(), whole->num_rows());
    ASSERT_EQ(file->num_columns(), 4u);
    for (size_t c = 0; c < 4; ++c) {
      const Column& a = whole->column(c);
      const Column& b = file->column(c);
      ASSERT_EQ(a.type, b.type) << a.name;
      for (size_t r = 0; r < a.size(); ++r) {
        ASSERT_EQ(a.ValueString(r), b.ValueString(r)) << a.name << " row " << r << " in " << p;
      }
    }
  }
  EXPECT_EQ(whole->num_rows(), 60001u);
  EXPECT_EQ(whole->column(0).type, ColumnType::kCategorical);  // "40000b"
  EXPECT_EQ(whole->column(2).type, ColumnType::kNumeric);
  EXPECT_EQ(whole->Find("text")->ValueString(40001), std::string(200000, 'L'));
  // An error after the long field still names the right line.
  const std::string bad = text + "1,2\n";
  size_t lines = 1;
  for (char ch : text) lines += ch == '\n';
  Result<Table> err = ReadCsv(WriteTempFile("blocks_bad.csv", bad));
  ASSERT_FALSE(err.ok());
  EXPECT_THAT(err.status().message(),
              HasSubstr(":" + std::to_string(lines) + ": expected 4 fields, found 2"));
}

}  // namespace
}  // namespace hypertune::ml
