// Must NOT compile: an enclosure cannot be built from a double literal (0.1 is not 1/10).
#include "quadrature/interval.hpp"

int main() {
    lpcert::Interval x(0.1, lpcert::Precision(64));
    return x.is_point() ? 0 : 1;
}
