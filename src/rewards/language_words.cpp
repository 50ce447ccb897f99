// English and Spanish word lists.
#include "r1/rewards/language_words.h"

#include <sstream>

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

const char* const kEnglish =
    // function words
    "the a an and or but if then so because as of to in on at by for with from into onto about over under "
    "after before between through during without within up down out off again also only just very too not no "
    "yes all any each every some many much more most less least few other another such same both either "
    "neither this that these those there here where when what which who whom whose why how i you he she it we "
    "they me him her us them my your his its our their mine yours is are was were be been being am do does "
    "did done doing have has had having will would shall should can could may might must let lets it's "
    "don't isn't can't won't than like until while since though although whether yet still even ever never "
    "always often sometimes now today tomorrow yesterday once twice first second third last next then thus "
    "hence therefore however instead anyway maybe perhaps really actually sure ok okay well "
    // math and reasoning
    "answer answers question questions number numbers sum sums total difference product quotient result "
    "results equation equations expression expressions value values solve solved solving find found compute "
    "computed computing calculate calculated calculating add added adding addition subtract subtracted "
    "subtracting subtraction multiply multiplied multiplying multiplication divide divided dividing division "
    "plus minus times equal equals equals twice half double triple remainder left right side sides both "
    "step steps check checked verify wait let's think thinking reason reasoning means mean get gets got give "
    "gives gave take takes took make makes made use used using need needs needed start starts started "
    "method way ways try tries tried work works worked know known see seen look want wanted correct wrong "
    "true false possible impossible simplify simplified move moved keep kept count counting counted "
    "each once target reach reached given available operations operation order parentheses bracket "
    "brackets multiply digits digit even odd positive negative integer integers whole fraction fractions "
    "decimal percent average rate speed distance hours hour minutes minute seconds second days day weeks "
    "week months month years year price cost costs money dollars dollar cents cent pay paid buy bought sell "
    "sold spend spent earn earned save saved more fewer larger smaller bigger greater than most least "
    "times per cube square root power area perimeter length width height "
    // generator and corpus vocabulary
    "what compute solve find from divide by subtract add both sides first then so the answer is plus minus "
    "divided you can at most and each number once make numbers use "
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million "
    "has gets more gives friend now she he cat dog bird horse small big red old happy quiet sleeps park "
    "runs river drinks water home sits near door plays garden walks school we like count help us every sun "
    "warm good take away result adding teacher writes board apples books eggs coins pens cards stones cups "
    "apple book egg coin pen card stone cup "
    // everyday words
    "people person man woman men women child children boy girl family mother father sister brother friends "
    "house room table chair car cars bus train road city town country world school class store shop market "
    "farm farmer food bread milk fruit fruits box boxes bag bags basket ball balls toy toys game games "
    "story stories name names thing things time times place places part parts group groups team teams "
    "piece pieces page pages cookie cookies cake cakes pizza slices slice candy candies flowers flower tree "
    "trees students student pencil pencils marbles marble chickens chicken cow cows sheep legs leg wheels "
    "new good bad long short high low old young hot cold little large great best better worse full empty "
    "same different each own another next last early late fast slow "
    "go goes went going come comes came coming say says said tell told ask asked answer write wrote read "
    "run ran walk walked eat ate drink drank sleep play played live lives lived sit stand put puts "
    "call called leave leaves left bring brought carry carried hold held turn turned show shows showed "
    "open close begin began end ends ended stop stopped grow grew share shared split fill filled ";

const char* const kSpanish =
    // function words
    "el la los las un una unos unas y o pero si entonces porque como de del a al en con sin por para sobre "
    "bajo entre hasta desde hacia durante antes después luego también solo sólo muy más menos no sí ya "
    "todo toda todos todas cada otro otra otros otras mismo misma mismos mismas tanto tanta tantos tantas "
    "mucho mucha muchos muchas poco poca pocos pocas algún alguno alguna algunos algunas ningún ninguno "
    "ninguna este esta estos estas ese esa esos esas aquel aquella eso esto aquí allí ahí donde dónde cuando "
    "cuándo que qué quien quién cual cuál cuales cuáles cuyo cómo cuánto cuánta cuántos cuántas yo tú él "
    "ella ello nosotros nosotras ellos ellas usted ustedes me te se nos le les lo mi mis tu tus su sus "
    "nuestro nuestra nuestros nuestras es son era eran fue fueron ser sido siendo soy eres somos está están "
    "estar estaba estado estoy estamos hay había ha han hemos haber tiene tienen tener tenía tengo "
    "tenemos tienes puede pueden poder puedo podemos puedes debe deben deber hace hacen hacer hago hacemos "
    "haces va van ir voy vamos vas aunque mientras sino tampoco nunca siempre ahora hoy mañana ayer vez "
    "veces primero primera segundo segunda tercero tercera último última siguiente así pues además sin "
    "embargo quizás tal bien bueno buena mal "
    // math and reasoning
    "respuesta respuestas pregunta preguntas número números suma sumas total diferencia producto cociente "
    "resultado resultados ecuación ecuaciones expresión valor valores resolver resuelve resuelto halla "
    "hallar encontrar encuentra calcula calcular calculamos sumar sumamos suma sumando restar resta restamos "
    "restando multiplicar multiplica multiplicamos multiplicación dividir divide dividimos división más "
    "menos por entre igual iguala doble triple mitad resto lado lados ambos ambas paso pasos revisar "
    "revisamos comprobar comprobamos verificar espera pensar pienso pensemos razonar razonamiento significa "
    "obtener obtenemos obtiene dar da dan tomar toma usar usa usamos usando necesita necesitamos empezar "
    "método manera forma intentar intenta saber sabemos ver vemos correcto correcta incorrecto incorrecta "
    "verdadero falso posible imposible simplificar mover pasar queda quedan contar cuenta contamos objetivo "
    "alcanzar dados dadas disponibles operaciones operación orden paréntesis dígito dígitos par impar "
    "positivo negativo entero enteros fracción fracciones decimal porcentaje promedio velocidad distancia "
    "horas hora minutos minuto segundos días día semanas semana meses mes años año precio costo cuesta "
    "dinero dólares dólar centavos pagar paga compra comprar vende vender gasta gastar gana ganar ahorra "
    "ahorrar mayor menor cuadrado raíz potencia área perímetro longitud ancho alto "
    // generator and corpus vocabulary
    "primero luego entonces la respuesta es más menos por entre resta a los dos lados suma divide cuánto "
    "calcula usa números para hacer puedes usar y cada número una vez como máximo resuelve halla si "
    "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciséis "
    "diecisiete dieciocho diecinueve veinte veintiuno veintiún veintidós veintitrés veinticuatro veinticinco "
    "veintiséis veintisiete veintiocho veintinueve treinta cuarenta cincuenta sesenta setenta ochenta noventa "
    "cien ciento doscientos trescientos cuatrocientos quinientos seiscientos setecientos ochocientos "
    "novecientos mil millón millones un "
    "tiene recibe da amigo ahora gato perro pájaro caballo pequeño grande rojo viejo feliz tranquilo duerme "
    "parque corre al río bebe agua casa sienta cerca puerta juega jardín camina escuela nos gusta contar "
    "ayudan día sol está caliente hoy buen sumamos restamos resultado revisamos paso maestra escribe pizarra "
    "manzanas libros huevos monedas plumas cartas piedras tazas manzana libro huevo moneda pluma carta "
    "piedra taza "
    // everyday words
    "gente persona hombre mujer hombres mujeres niño niña niños niñas familia madre padre hermana hermano "
    "amigos amiga amigas habitación mesa silla coche coches autobús tren camino ciudad pueblo país mundo "
    "clase tienda mercado granja granjero comida pan leche fruta frutas caja cajas bolsa bolsas cesta "
    "pelota pelotas juguete juguetes juego juegos historia nombre cosa cosas tiempo lugar parte partes "
    "grupo grupos equipo equipos pieza piezas página páginas galleta galletas pastel pasteles pizza "
    "rebanadas rebanada dulces flores flor árbol árboles estudiantes estudiante lápiz lápices canicas gallinas "
    "vaca vacas ovejas patas pata ruedas nuevo nueva malo mala largo corto alta bajo joven caliente frío "
    "fría pequeña pequeños grandes mejor peor lleno vacío diferente propio rápido lento "
    "fue vino viene dice dijo pide preguntó escribe escribió lee leyó corrió camina caminó comió bebe "
    "bebió duerme jugó vive vivió pone llama llamó deja trae lleva llevó sostiene gira muestra abre cierra "
    "empieza termina para crece comparte divide llena ";

std::unordered_set<std::string> parse_words(const char* text) {
  std::unordered_set<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) out.insert(w);
  return out;
}

}  // namespace

const std::unordered_set<std::string>& language_words(const std::string& language) {
  static const std::unordered_set<std::string> en = parse_words(kEnglish);
  static const std::unordered_set<std::string> es = parse_words(kSpanish);
  if (language == "en") return en;
  if (language == "es") return es;
  throw InputError("language: expected en or es, got " + quote(language));
}

bool is_language_word(const std::string& word, const std::string& language) {
  return language_words(language).count(word) > 0;
}

}  // namespace r1
