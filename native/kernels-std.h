// Standard headers the kernels use, included once before any target pragma.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <vector>
#include "kernels.h"
