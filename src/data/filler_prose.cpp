// Filler prose sentences in English and Spanish.
#include "r1/data/filler_prose.h"

#include <vector>

#include "r1/data/lexicon.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

struct Person {
  const char* name;
  bool female;
};
const std::vector<Person> kPeople = {{"Ana", true}, {"Tom", false}, {"Mia", true},
                                     {"Leo", false}, {"Eva", true}, {"Sam", false}};

struct Thing {
  const char* en;
  const char* es;
};
const std::vector<Thing> kThings = {{"apples", "manzanas"}, {"books", "libros"}, {"eggs", "huevos"},
                                    {"coins", "monedas"},   {"pens", "plumas"},  {"cards", "cartas"},
                                    {"stones", "piedras"},  {"cups", "tazas"}};

const std::vector<Thing> kAnimals = {{"cat", "gato"}, {"dog", "perro"}, {"bird", "pájaro"}, {"horse", "caballo"}};
const std::vector<Thing> kAdjectives = {{"small", "pequeño"}, {"big", "grande"}, {"red", "rojo"},
                                        {"old", "viejo"},     {"happy", "feliz"}, {"quiet", "tranquilo"}};
const std::vector<Thing> kActions = {{"sleeps in the park", "duerme en el parque"},
                                     {"runs to the river", "corre al río"},
                                     {"drinks water at home", "bebe agua en casa"},
                                     {"sits near the door", "se sienta cerca de la puerta"},
                                     {"plays in the garden", "juega en el jardín"},
                                     {"walks to school", "camina a la escuela"}};
const std::vector<Thing> kPlain = {{"We like to count.", "Nos gusta contar."},
                                   {"Numbers help us every day.", "Los números nos ayudan cada día."},
                                   {"The sun is warm today.", "El sol está caliente hoy."},
                                   {"It is a good day.", "Es un buen día."},
                                   {"We add and we take away.", "Sumamos y restamos."},
                                   {"A sum is the result of adding.", "Una suma es el resultado de sumar."},
                                   {"We check each step.", "Revisamos cada paso."},
                                   {"The teacher writes on the board.", "La maestra escribe en la pizarra."}};

std::string capitalize(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string scene(Rng& rng, bool en) {
  const Thing& animal = rng.pick(kAnimals);
  const Thing& adj = rng.pick(kAdjectives);
  const Thing& action = rng.pick(kActions);
  if (en) return std::string("The ") + adj.en + " " + animal.en + " " + action.en + ".";
  return std::string("El ") + animal.es + " " + adj.es + " " + action.es + ".";
}

std::string story(Rng& rng, bool en) {
  const Person& p = rng.pick(kPeople);
  const Thing& thing = rng.pick(kThings);
  const std::string lang = en ? "en" : "es";
  long long have = rng.uniform_int(2, 12);
  long long change = rng.uniform_int(1, 8);
  bool gain = rng.bernoulli(0.5) || change >= have;
  long long now = gain ? have + change : have - change;
  std::string pron = p.female ? "she" : "he";
  std::vector<std::string> s;
  if (en) {
    s.push_back(std::string(p.name) + " has " + number_words(have, lang) + " " + thing.en + ".");
    s.push_back(capitalize(pron) + (gain ? " gets " + number_words(change, lang) + " more."
                                         : " gives " + number_words(change, lang) + " to a friend."));
    s.push_back("Now " + pron + " has " + number_words(now, lang) + " " + thing.en + ".");
  } else {
    s.push_back(std::string(p.name) + " tiene " + number_words(have, lang) + " " + thing.es + ".");
    s.push_back(gain ? "Recibe " + number_words(change, lang) + " más."
                     : "Da " + number_words(change, lang) + " a un amigo.");
    s.push_back("Ahora tiene " + number_words(now, lang) + " " + thing.es + ".");
  }
  return join(s, " ");
}

}  // namespace

std::string filler_prose(Rng& rng, const std::string& language) {
  require_language(language, "filler prose");
  bool en = language == "en";
  int n = static_cast<int>(rng.uniform_int(3, 6));
  std::vector<std::string> out;
  while (static_cast<int>(out.size()) < n) {
    switch (rng.below(3)) {
      case 0: out.push_back(scene(rng, en)); break;
      case 1: out.push_back(story(rng, en)); break;
      default: {
        const Thing& t = rng.pick(kPlain);
        out.push_back(en ? t.en : t.es);
      }
    }
  }
  return join(out, " ");
}

}  // namespace r1
