// English and Spanish phrases and number words for the generators.
#include "r1/data/lexicon.h"

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

Lexicon make_en() {
  Lexicon l;
  l.first = "First,";
  l.then = "Then,";
  l.so = "So";
  l.answer_is = "the answer is";
  l.is = "is";
  l.plus = "plus";
  l.minus = "minus";
  l.times = "times";
  l.divided_by = "divided by";
  l.subtract_both = "subtract {v} from both sides";
  l.add_both = "add {v} to both sides";
  l.divide_both = "divide both sides by {v}";
  return l;
}

Lexicon make_es() {
  Lexicon l;
  l.first = "Primero,";
  l.then = "Luego,";
  l.so = "Entonces";
  l.answer_is = "la respuesta es";
  l.is = "es";
  l.plus = "más";
  l.minus = "menos";
  l.times = "por";
  l.divided_by = "entre";
  l.subtract_both = "resta {v} a los dos lados";
  l.add_both = "suma {v} a los dos lados";
  l.divide_both = "divide los dos lados entre {v}";
  return l;
}

const char* const kEnOnes[] = {"zero",    "one",     "two",       "three",    "four",     "five",    "six",
                               "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
                               "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen"};
const char* const kEnTens[] = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};

const char* const kEsOnes[] = {"cero",       "uno",        "dos",        "tres",       "cuatro",    "cinco",
                               "seis",       "siete",      "ocho",       "nueve",      "diez",      "once",
                               "doce",       "trece",      "catorce",    "quince",     "dieciséis", "diecisiete",
                               "dieciocho",  "diecinueve", "veinte",     "veintiuno",  "veintidós", "veintitrés",
                               "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho",
                               "veintinueve"};
const char* const kEsTens[] = {"", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta",
                               "noventa"};
const char* const kEsHundreds[] = {"",           "ciento",     "doscientos", "trescientos", "cuatrocientos",
                                   "quinientos", "seiscientos", "setecientos", "ochocientos", "novecientos"};

std::string en_below_1000(long long n) {
  std::string out;
  if (n >= 100) {
    out = std::string(kEnOnes[n / 100]) + " hundred";
    n %= 100;
    if (n == 0) return out;
    out += " ";
  }
  if (n < 20) return out + kEnOnes[n];
  out += kEnTens[n / 10];
  if (n % 10) out += std::string(" ") + kEnOnes[n % 10];
  return out;
}

std::string es_below_1000(long long n) {
  if (n == 100) return "cien";
  std::string out;
  if (n > 100) {
    out = kEsHundreds[n / 100];
    n %= 100;
    if (n == 0) return out;
    out += " ";
  }
  if (n < 30) return out + kEsOnes[n];
  out += kEsTens[n / 10];
  if (n % 10) out += std::string(" y ") + kEsOnes[n % 10];
  return out;
}

}  // namespace

const Lexicon& lexicon(const std::string& language) {
  static const Lexicon en = make_en();
  static const Lexicon es = make_es();
  if (language == "en") return en;
  if (language == "es") return es;
  throw InputError("language: expected en or es, got " + quote(language));
}

std::string other_language(const std::string& language) {
  require_language(language, "language");
  return language == "en" ? "es" : "en";
}

void require_language(const std::string& language, const std::string& what) {
  if (language != "en" && language != "es") throw InputError(what + ": expected en or es, got " + quote(language));
}

const std::string& op_word(char op, const std::string& language) {
  const Lexicon& l = lexicon(language);
  switch (op) {
    case '+': return l.plus;
    case '-': return l.minus;
    case '*': return l.times;
    case '/': return l.divided_by;
    default: throw InputError(std::string("op_word: unknown operator '") + op + "'");
  }
}

std::string number_words(long long n, const std::string& language) {
  require_language(language, "number_words");
  if (n <= -1000000 || n >= 1000000)
    throw InputError("number_words: " + std::to_string(n) + " is outside -999999..999999");
  bool en = language == "en";
  if (n < 0) return std::string(en ? "minus " : "menos ") + number_words(-n, language);
  long long thousands = n / 1000, rest = n % 1000;
  std::string out;
  if (thousands > 0) {
    if (en) {
      out = en_below_1000(thousands) + " thousand";
    } else if (thousands == 1) {
      out = "mil";
    } else {
      std::string t = es_below_1000(thousands);
      // Apocope before "mil": "veintiuno" -> "veintiún", "... y uno" -> "... y un".
      if (ends_with(t, "veintiuno")) t = t.substr(0, t.size() - 9) + "veintiún";
      else if (ends_with(t, "uno")) t = t.substr(0, t.size() - 3) + "un";
      out = t + " mil";
    }
    if (rest == 0) return out;
    out += " ";
  }
  return out + (en ? en_below_1000(rest) : es_below_1000(rest));
}

std::string fill(const std::string& phrase, const std::string& value) { return replace_all(phrase, "{v}", value); }

}  // namespace r1
