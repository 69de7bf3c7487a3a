/* models.h — private: the ops table of each model, defined in src/engine/model_NAME.c. */
#ifndef MOVIEREC_MODELS_H
#define MOVIEREC_MODELS_H

#include "movierec/model.h"

extern const struct mr_model_ops mr_model_pop;
extern const struct mr_model_ops mr_model_baseline;
extern const struct mr_model_ops mr_model_userknn;
extern const struct mr_model_ops mr_model_itemknn;
extern const struct mr_model_ops mr_model_als;
extern const struct mr_model_ops mr_model_sgd;
extern const struct mr_model_ops mr_model_content;
extern const struct mr_model_ops mr_model_graph;
extern const struct mr_model_ops mr_model_hybrid;

#endif
